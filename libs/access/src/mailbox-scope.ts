import { DomainError } from '#errors';

declare const scopeBrand: unique symbol;

/**
 * Which mailbox a principal acts for, and how far. Only the access check below makes one, so a
 * store that takes a scope can trust it: a mailbox id taken from a request cannot pass for one.
 */
export interface MailboxScope {
  readonly [scopeBrand]: true;
  readonly mailboxId: string;
  /** `read`: see letters and documents; `read_write` also files, acknowledges and changes settings. */
  readonly access: 'read' | 'read_write';
  /** Whether letters marked confidential are in view (the owner always; a delegate maybe not). */
  readonly confidential: boolean;
}

export type MailboxAccess = MailboxScope['access'];

function scope(mailboxId: string, access: MailboxAccess, confidential: boolean): MailboxScope {
  return Object.freeze({ mailboxId, access, confidential }) as MailboxScope;
}

/**
 * The owner of a mailbox acts for it fully. Today every citizen acts only for their own mailbox;
 * delegates, guardians and employees will get their scope from one pure function,
 * `decideAccess(principal, mailbox, grants, now)`, placed here beside this one, and nothing
 * else in the code base will make a scope.
 */
export function ownerScope(mailbox: { id: string }): MailboxScope {
  return scope(mailbox.id, 'read_write', true);
}

/** The same mailbox, read only. A scope can be narrowed by anyone, never widened. */
export function readOnly(given: MailboxScope): MailboxScope {
  return scope(given.mailboxId, 'read', given.confidential);
}

/** What a scope is, written down to be handed back later (a document view ticket). */
export interface HeldScope {
  mailboxId: string;
  confidential: boolean;
}

export function holdScope(given: MailboxScope): HeldScope {
  return { mailboxId: given.mailboxId, confidential: given.confidential };
}

/**
 * A scope held server-side (a view ticket's record in Redis, found by the ticket's hash) coming
 * back, read only: the ticket was issued through the access check, and reading is all it is for.
 */
export function heldScope(held: HeldScope): MailboxScope {
  return scope(held.mailboxId, 'read', held.confidential);
}

export const readOnlyRefusal = () =>
  new DomainError(
    403,
    'mailbox.read_only',
    'You may read this mailbox but not change anything in it',
  );

/**
 * The one place a write through a read-only scope is refused: every store method that changes a
 * citizen's mailbox asks for the mailbox id through this.
 */
export function mailboxToWrite(scope: MailboxScope): string {
  if (scope.access !== 'read_write') throw readOnlyRefusal();
  return scope.mailboxId;
}
