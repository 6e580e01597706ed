import type { MessageKey } from './i18n';
import type { MailboxRole } from './mailboxes';

/** How the caller's role for a mailbox is said beside its name ("Kari Nordmann (you are guardian)"). */
export const ROLE_TEXTS: Record<MailboxRole, MessageKey> = {
  owner: 'role.owner',
  grantee: 'role.grantee',
  guardian: 'role.guardian',
  executor: 'role.executor',
  administrator: 'role.administrator',
  employee: 'role.employee',
};

/** The same roles said of someone else, in the access log ("Guardian"). */
export const ACTOR_ROLE_TEXTS: Record<MailboxRole, MessageKey> = {
  owner: 'actorRole.owner',
  grantee: 'actorRole.grantee',
  guardian: 'actorRole.guardian',
  executor: 'actorRole.executor',
  administrator: 'actorRole.administrator',
  employee: 'actorRole.employee',
};
