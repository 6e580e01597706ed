export {
  ownerScope,
  actingAs,
  type ScopeActor,
  readOnly,
  holdScope,
  heldScope,
  type HeldScope,
  mailboxToWrite,
  readOnlyRefusal,
  MAILBOX_KINDS,
  ACTING_ROLES,
  type ActingRole,
  type MailboxKind,
  type MailboxScope,
  type MailboxAccess,
} from './mailbox-scope';
export { decideAccess, mailboxesToActFor, comingOfAge } from './decide-access';
export {
  GRANT_ROLES,
  type Grant,
  type GrantRole,
  type Mailbox,
  type OrganisationMailbox,
  type PersonMailbox,
  type Principal,
} from './access-model';
export { ACCESS_ACTIONS, type AccessAction } from './access-actions';
