export {
  ownerScope,
  readOnly,
  mailboxToWrite,
  readOnlyRefusal,
  type MailboxScope,
  type MailboxAccess,
} from './mailbox-scope';
export { ACCESS_ACTIONS, type AccessAction } from './access-actions';
