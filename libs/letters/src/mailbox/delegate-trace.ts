import type { AccessAction, MailboxScope } from '#access';
import type { AccessEntry } from '#stores';

/**
 * The access-log entry for what someone other than the owner did in a mailbox (DESIGN "Access
 * notices": actions by anyone but the owner go to the mailbox's access log with their role);
 * null for the owner, whose own actions are not "access by someone else".
 */
export function delegateEntry(
  scope: MailboxScope,
  action: AccessAction,
  letterId?: string,
): AccessEntry | null {
  if (scope.role === 'owner') return null;
  return {
    mailboxId: scope.mailboxId,
    actor: {
      kind: 'person',
      id: scope.actor?.ref ?? '',
      name: scope.actor?.name ?? '',
      role: scope.role,
    },
    action,
    purpose: '',
    letterId,
  };
}
