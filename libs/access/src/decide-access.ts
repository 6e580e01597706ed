import type { Grant, GrantRole, Mailbox, Principal } from './access-model';
import {
  ACTING_ROLES,
  makeScope,
  ownerScope,
  type MailboxAccess,
  type MailboxScope,
} from './mailbox-scope';

type Candidate = Parameters<typeof makeScope>[0];

/** Which grants apply to which kind of mailbox: an organisation's people never reach a person's. */
const ROLES_FOR: Readonly<Record<Mailbox['kind'], readonly GrantRole[]>> = {
  person: ['grantee', 'guardian', 'executor'],
  organisation: ['administrator', 'employee'],
};

// An executor winds up an estate: reading is all the role is for, whatever the grant says.
const CEILING: Readonly<Partial<Record<GrantRole, MailboxAccess>>> = { executor: 'read' };

const AGE_OF_MAJORITY = 18;

/**
 * The instant a minor born on `birthDate` (`YYYY-MM-DD`) comes of age: the start of the 18th
 * birthday, in UTC. Born on 29 February: 1 March in a year without one (Date.UTC rolls over).
 * Null for anything that is not a date, so a guardian without a birth date acts for no one.
 */
export function comingOfAge(birthDate: string): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(birthDate);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const born = new Date(Date.UTC(year, month - 1, day));
  if (born.getUTCMonth() !== month - 1 || born.getUTCDate() !== day) return null;
  return new Date(Date.UTC(year + AGE_OF_MAJORITY, month - 1, day));
}

const earlier = (a: Date | null, b: Date | null): Date | null =>
  a === null ? b : b === null ? a : a.getTime() <= b.getTime() ? a : b;

function endOf(grant: Grant, mailbox: Mailbox): Date | null | 'never_held' {
  if (grant.role === 'guardian') {
    const birthDate = mailbox.kind === 'person' ? mailbox.minorBirthDate : null;
    const ofAge = birthDate ? comingOfAge(birthDate) : null;
    return ofAge === null ? 'never_held' : earlier(grant.until, ofAge);
  }
  // An estate is wound up by a date the operator sets; an open-ended executor is a mistake.
  if (grant.role === 'executor' && grant.until === null) return 'never_held';
  return grant.until;
}

function fromGrant(grant: Grant, mailbox: Mailbox, now: Date): Candidate | null {
  if (grant.revokedAt !== null || grant.createdAt.getTime() > now.getTime()) return null;
  if (!ROLES_FOR[mailbox.kind].includes(grant.role)) return null;
  const until = endOf(grant, mailbox);
  if (until === 'never_held' || (until !== null && now.getTime() >= until.getTime())) return null;
  return {
    mailboxId: mailbox.id,
    kind: mailbox.kind,
    role: grant.role,
    access: CEILING[grant.role] ?? grant.access,
    confidential: grant.confidential,
    until,
  };
}

/** The widest of several footings: writing over reading, confidential over not, longer over shorter. */
function wider(a: Candidate, b: Candidate): Candidate {
  if (a.access !== b.access) return a.access === 'read_write' ? a : b;
  if (a.confidential !== b.confidential) return a.confidential ? a : b;
  if ((a.until?.getTime() ?? Infinity) !== (b.until?.getTime() ?? Infinity))
    return (a.until?.getTime() ?? Infinity) > (b.until?.getTime() ?? Infinity) ? a : b;
  return ACTING_ROLES.indexOf(a.role) <= ACTING_ROLES.indexOf(b.role) ? a : b;
}

/**
 * Who may act for a mailbox, and how far (DESIGN "Who may act"): the one place besides
 * `ownerScope` a scope is made. "none" answers 404 at the edge, exactly as a missing mailbox
 * does, so a refusal says nothing about whether the mailbox exists.
 *
 * Grants of other mailboxes and of other people are ignored, so a caller may pass all it loaded.
 * Several grants that hold at once are not added together: the widest single one is the scope.
 */
export function decideAccess(
  principal: Principal,
  mailbox: Mailbox,
  grants: readonly Grant[],
  now: Date,
): MailboxScope | 'none' {
  if (mailbox.kind === 'person' && mailbox.ownerRef === principal.personRef)
    return ownerScope(mailbox);

  let best: Candidate | null = null;
  if (
    mailbox.kind === 'organisation' &&
    principal.administratorOf.includes(mailbox.organisationNumber)
  ) {
    best = {
      mailboxId: mailbox.id,
      kind: 'organisation',
      role: 'administrator',
      access: 'read_write',
      confidential: true,
      until: null,
    };
  }
  for (const grant of grants) {
    if (grant.mailboxId !== mailbox.id || grant.granteeRef !== principal.personRef) continue;
    const candidate = fromGrant(grant, mailbox, now);
    if (candidate) best = best ? wider(best, candidate) : candidate;
  }
  return best ? makeScope(best) : 'none';
}

/**
 * Every mailbox the principal may act for among those given (for `GET /v1/me`): the caller's own
 * first, then by role as ACTING_ROLES lists them, then by mailbox id, so the list is stable.
 * The caller loads the principal's own mailbox, the mailboxes their grants name and the
 * organisations their token names; this decides each exactly as a request for it would.
 */
export function mailboxesToActFor(
  principal: Principal,
  mailboxes: readonly Mailbox[],
  grants: readonly Grant[],
  now: Date,
): MailboxScope[] {
  const seen = new Set<string>();
  const scopes: MailboxScope[] = [];
  for (const mailbox of mailboxes) {
    if (seen.has(mailbox.id)) continue;
    seen.add(mailbox.id);
    const scope = decideAccess(principal, mailbox, grants, now);
    if (scope !== 'none') scopes.push(scope);
  }
  const rank = (s: MailboxScope) => ACTING_ROLES.indexOf(s.role);
  return scopes.sort(
    (a, b) =>
      rank(a) - rank(b) || (a.mailboxId < b.mailboxId ? -1 : a.mailboxId > b.mailboxId ? 1 : 0),
  );
}
