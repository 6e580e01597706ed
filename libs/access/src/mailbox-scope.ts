import { DomainError } from '#errors';
import { ACTOR_ROLES } from '#evidence';

declare const scopeBrand: unique symbol;

export const MAILBOX_KINDS = ['person', 'organisation'] as const;
export type MailboxKind = (typeof MAILBOX_KINDS)[number];

/**
 * On what footing a principal acts for a mailbox (DESIGN "Who may act"). `read` and
 * `acknowledged` receipts name it, so the receipt format owns the list.
 */
export const ACTING_ROLES = ACTOR_ROLES;
export type ActingRole = (typeof ACTING_ROLES)[number];

/**
 * Which mailbox a principal acts for, and how far. Only the access check below makes one, so a
 * store that takes a scope can trust it: a mailbox id taken from a request cannot pass for one.
 */
export interface MailboxScope {
  readonly [scopeBrand]: true;
  readonly mailboxId: string;
  readonly kind: MailboxKind;
  /** Anyone but the owner is named with this role in the mailbox's access log. */
  readonly role: ActingRole;
  /** `read`: see letters and documents; `read_write` also files, acknowledges and changes settings. */
  readonly access: 'read' | 'read_write';
  /** Whether letters marked confidential are in view (the owner always; a delegate maybe not). */
  readonly confidential: boolean;
  /** When the access ends (a delegation's end, a minor's 18th birthday); null: it does not. */
  readonly until: Date | null;
  /** Who acts through the scope, once the access check named them (see `actingAs`). */
  readonly actor?: ScopeActor;
}

/**
 * The person acting, as the access log and `read`/`acknowledged` receipts name them: by an HMAC
 * reference (the recipient ref of their own number) and the name their identity provider gave,
 * never by national id.
 */
export interface ScopeActor {
  readonly ref: string;
  readonly name: string;
}

export type MailboxAccess = MailboxScope['access'];

type ScopeFields = Omit<MailboxScope, typeof scopeBrand>;

/**
 * Only this module and decide-access.ts call this (the package's index does not export it), so
 * a scope comes from `ownerScope`, from `decideAccess`, or from narrowing one of theirs.
 */
export function makeScope(fields: ScopeFields): MailboxScope {
  const until = fields.until === null ? null : new Date(fields.until.getTime());
  return Object.freeze({ ...fields, until }) as MailboxScope;
}

/**
 * The owner of a person's mailbox acts for it fully. Everyone else (delegates, guardians,
 * executors, an organisation's people) gets a scope from `decideAccess` in decide-access.ts.
 */
export function ownerScope(mailbox: { id: string }): MailboxScope {
  return makeScope({
    mailboxId: mailbox.id,
    kind: 'person',
    role: 'owner',
    access: 'read_write',
    confidential: true,
    until: null,
  });
}

/** The same scope, naming who acts through it: it neither widens nor narrows what they may do. */
export function actingAs(given: MailboxScope, actor: ScopeActor): MailboxScope {
  return makeScope({ ...given, actor: { ref: actor.ref, name: actor.name } });
}

/** The same mailbox, read only. A scope can be narrowed by anyone, never widened. */
export function readOnly(given: MailboxScope): MailboxScope {
  return makeScope({ ...given, access: 'read' });
}

/** What a scope is, written down to be handed back later (a document view ticket). */
export interface HeldScope {
  mailboxId: string;
  kind: MailboxKind;
  role: ActingRole;
  confidential: boolean;
  /** Epoch milliseconds, as JSON holds a time. */
  until: number | null;
  actor?: ScopeActor;
}

export function holdScope(given: MailboxScope): HeldScope {
  return {
    mailboxId: given.mailboxId,
    kind: given.kind,
    role: given.role,
    confidential: given.confidential,
    until: given.until === null ? null : given.until.getTime(),
    ...(given.actor ? { actor: { ref: given.actor.ref, name: given.actor.name } } : {}),
  };
}

/**
 * A scope held server-side (a view ticket's record in Redis, found by the ticket's hash) coming
 * back, read only: the ticket was issued through the access check, and reading is all it is for.
 */
export function heldScope(held: HeldScope): MailboxScope {
  return makeScope({
    mailboxId: held.mailboxId,
    kind: held.kind,
    role: held.role,
    access: 'read',
    confidential: held.confidential,
    until: held.until === null ? null : new Date(held.until),
    ...(held.actor ? { actor: { ref: held.actor.ref, name: held.actor.name } } : {}),
  });
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
