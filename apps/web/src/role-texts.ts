import type { MessageKey } from './i18n';
import type { MailboxRole } from './mailboxes';

/** How the caller's role for a mailbox is said beside its name ("Kari Nordmann (you are guardian)"). */
export const ROLE_TEXTS: Record<MailboxRole, MessageKey> = {
  owner: 'youAre.owner',
  grantee: 'youAre.grantee',
  guardian: 'youAre.guardian',
  executor: 'youAre.executor',
  administrator: 'youAre.administrator',
  employee: 'youAre.employee',
};
