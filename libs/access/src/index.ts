export {
  ownerScope,
  readOnly,
  mailboxToWrite,
  readOnlyRefusal,
  type MailboxScope,
  type MailboxAccess,
} from './mailbox-scope';
