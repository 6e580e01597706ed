import fc from 'fast-check';
import {
  GRANT_ROLES,
  decideAccess,
  type Grant,
  type Mailbox,
  type MailboxScope,
  type Principal,
} from '#access';

const PEOPLE = ['ref-a', 'ref-b', 'ref-c'];
const ORGANISATIONS = ['974760673', '889640782'];
const MAILBOX_IDS = ['mbx-1', 'mbx-2', 'mbx-3'];

const T0 = Date.UTC(2020, 0, 1);
const YEARS_20 = 20 * 365 * 86_400_000;
const instant = fc.integer({ min: T0, max: T0 + YEARS_20 }).map((ms) => new Date(ms));
const birthDate = fc
  .integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2025, 0, 1) })
  .map((ms) => new Date(ms).toISOString().slice(0, 10));

const principal: fc.Arbitrary<Principal> = fc.record({
  personRef: fc.constantFrom(...PEOPLE),
  administratorOf: fc.subarray(ORGANISATIONS),
});

const mailbox: fc.Arbitrary<Mailbox> = fc.oneof(
  fc.record({
    id: fc.constantFrom(...MAILBOX_IDS),
    kind: fc.constant('person' as const),
    ownerRef: fc.constantFrom(...PEOPLE),
    minorBirthDate: fc.option(birthDate),
  }),
  fc.record({
    id: fc.constantFrom(...MAILBOX_IDS),
    kind: fc.constant('organisation' as const),
    organisationNumber: fc.constantFrom(...ORGANISATIONS),
  }),
);

const grant: fc.Arbitrary<Grant> = fc.record({
  id: fc.uuid(),
  mailboxId: fc.constantFrom(...MAILBOX_IDS),
  granteeRef: fc.constantFrom(...PEOPLE),
  role: fc.constantFrom(...GRANT_ROLES),
  access: fc.constantFrom('read' as const, 'read_write' as const),
  confidential: fc.boolean(),
  until: fc.option(instant),
  // Mostly not revoked, so the other properties see grants that hold.
  revokedAt: fc.oneof(
    { arbitrary: fc.constant(null), weight: 3 },
    { arbitrary: instant, weight: 1 },
  ),
  createdAt: instant,
});
const grants = fc.array(grant, { maxLength: 8 });

/** Neither the owner nor an administrator by the token: whatever they get, a grant gave. */
function onlyByGrant(p: Principal, m: Mailbox): boolean {
  if (m.kind === 'person') return m.ownerRef !== p.personRef;
  return !p.administratorOf.includes(m.organisationNumber);
}

function fields(scope: MailboxScope | 'none') {
  if (scope === 'none') return 'none';
  const { mailboxId, kind, role, access, confidential, until } = scope;
  return { mailboxId, kind, role, access, confidential, until: until?.getTime() ?? null };
}

describe('deciding access, for any principal, mailbox, grants and time', () => {
  it('never lets a revoked or expired grant give anything', () => {
    fc.assert(
      fc.property(principal, mailbox, grants, instant, (p, m, gs, now) => {
        fc.pre(onlyByGrant(p, m));
        const ended = gs.map((g) =>
          g.revokedAt !== null || (g.until !== null && g.until <= now)
            ? g
            : { ...g, revokedAt: now },
        );
        expect(decideAccess(p, m, ended, now)).toBe('none');
      }),
    );
  });

  it('never turns read access into read_write', () => {
    fc.assert(
      fc.property(principal, mailbox, grants, instant, (p, m, gs, now) => {
        fc.pre(onlyByGrant(p, m));
        const reading = gs.map((g) => ({ ...g, access: 'read' as const }));
        const scope = decideAccess(p, m, reading, now);
        expect(scope === 'none' ? 'read' : scope.access).toBe('read');
      }),
    );
  });

  it('never gives confidential letters on grants that do not', () => {
    fc.assert(
      fc.property(principal, mailbox, grants, instant, (p, m, gs, now) => {
        fc.pre(onlyByGrant(p, m));
        const open = gs.map((g) => ({ ...g, confidential: false }));
        const scope = decideAccess(p, m, open, now);
        expect(scope === 'none' ? false : scope.confidential).toBe(false);
      }),
    );
  });

  it('does not depend on grants of other mailboxes, nor on the order grants come in', () => {
    fc.assert(
      fc.property(principal, mailbox, grants, grants, instant, (p, m, own, other, now) => {
        const ofThis = own.map((g) => ({ ...g, mailboxId: m.id }));
        // Granted to the same person, so only the mailbox sets them apart.
        const ofOthers = other
          .filter((g) => g.mailboxId !== m.id)
          .map((g) => ({ ...g, granteeRef: p.personRef }));
        const alone = fields(decideAccess(p, m, ofThis, now));
        expect(fields(decideAccess(p, m, [...ofOthers, ...ofThis].reverse(), now))).toEqual(alone);
      }),
    );
  });

  it('scopes exactly the mailbox asked about', () => {
    fc.assert(
      fc.property(principal, mailbox, grants, instant, (p, m, gs, now) => {
        const scope = decideAccess(p, m, gs, now);
        if (scope !== 'none') expect([scope.mailboxId, scope.kind]).toEqual([m.id, m.kind]);
      }),
    );
  });

  it('lets access that holds at a later time hold earlier too, for grants made by then', () => {
    fc.assert(
      fc.property(principal, mailbox, grants, instant, instant, (p, m, gs, a, b) => {
        const [t1, t2] = a <= b ? [a, b] : [b, a];
        const madeBefore = gs.map((g) => (g.createdAt <= t1 ? g : { ...g, createdAt: t1 }));
        if (decideAccess(p, m, madeBefore, t2) !== 'none') {
          expect(decideAccess(p, m, madeBefore, t1)).not.toBe('none');
        }
      }),
    );
  });

  it('never gives access at or after the scope says it ends', () => {
    fc.assert(
      fc.property(principal, mailbox, grants, instant, (p, m, gs, now) => {
        const scope = decideAccess(p, m, gs, now);
        if (scope === 'none' || scope.until === null) return;
        expect(scope.until.getTime()).toBeGreaterThan(now.getTime());
        expect(fields(decideAccess(p, m, gs, scope.until))).not.toEqual(fields(scope));
      }),
    );
  });
});
