export {
  ownerScope,
  readOnly,
  holdScope,
  heldScope,
  type HeldScope,
  mailboxToWrite,
  readOnlyRefusal,
  type MailboxScope,
  type MailboxAccess,
} from './mailbox-scope';
export { ACCESS_ACTIONS, type AccessAction } from './access-actions';
