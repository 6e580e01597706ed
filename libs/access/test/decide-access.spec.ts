import { decideAccess, mailboxToWrite, type MailboxScope } from '#access';
import {
  INGRID,
  KARI,
  OLA,
  at,
  brreg,
  grant,
  ingridsMailbox,
  karisMailbox,
  nav,
  olasMailbox,
  person,
} from './fixtures';

const now = at('2025-03-01T12:00:00Z');

/** The scope's public fields, for comparing with what the design says. */
function fields(scope: MailboxScope | 'none') {
  if (scope === 'none') return 'none';
  const { mailboxId, kind, role, access, confidential, until } = scope;
  return { mailboxId, kind, role, access, confidential, until: until?.toISOString() ?? null };
}

describe('deciding who may act for a person', () => {
  it('lets the owner read and write their own mailbox, confidential letters included', () => {
    expect(fields(decideAccess(person(KARI), karisMailbox, [], now))).toEqual({
      mailboxId: karisMailbox.id,
      kind: 'person',
      role: 'owner',
      access: 'read_write',
      confidential: true,
      until: null,
    });
  });

  it('lets no one else in without a grant', () => {
    expect(decideAccess(person(OLA), karisMailbox, [], now)).toBe('none');
  });

  it('lets a read delegate read, and refuses their writes', () => {
    const scope = decideAccess(person(OLA), karisMailbox, [grant()], now);
    expect(fields(scope)).toMatchObject({ role: 'grantee', access: 'read', confidential: false });
    expect(() => mailboxToWrite(scope as MailboxScope)).toThrow(/not change anything/);
  });

  it('lets a read-write delegate write until the end of the delegation', () => {
    const until = at('2025-06-01T00:00:00Z');
    const scope = decideAccess(
      person(OLA),
      karisMailbox,
      [grant({ access: 'read_write', until })],
      now,
    );
    expect(fields(scope)).toMatchObject({
      role: 'grantee',
      access: 'read_write',
      until: until.toISOString(),
    });
    expect(mailboxToWrite(scope as MailboxScope)).toBe(karisMailbox.id);
  });

  it('ignores a delegation that has expired, from the instant it ends', () => {
    const until = at('2025-03-01T12:00:00Z');
    expect(decideAccess(person(OLA), karisMailbox, [grant({ until })], until)).toBe('none');
    expect(
      decideAccess(person(OLA), karisMailbox, [grant({ until })], at('2025-03-01T11:59:59.999Z')),
    ).not.toBe('none');
  });

  it('ignores a revoked delegation, even one that has not yet ended', () => {
    const revoked = grant({
      until: at('2030-01-01T00:00:00Z'),
      revokedAt: at('2025-02-01T00:00:00Z'),
    });
    expect(decideAccess(person(OLA), karisMailbox, [revoked], now)).toBe('none');
  });

  it('ignores a grant before it was made', () => {
    const later = grant({ createdAt: at('2025-04-01T00:00:00Z') });
    expect(decideAccess(person(OLA), karisMailbox, [later], now)).toBe('none');
  });

  it("ignores a grant of someone else's mailbox, or to someone else", () => {
    expect(decideAccess(person(OLA), karisMailbox, [grant({ mailboxId: 'mbx-other' })], now)).toBe(
      'none',
    );
    expect(decideAccess(person(INGRID), karisMailbox, [grant()], now)).toBe('none');
  });

  it('takes the widest of several grants that hold at once', () => {
    const grants = [grant({ id: 'g-read' }), grant({ id: 'g-write', access: 'read_write' })];
    expect(fields(decideAccess(person(OLA), karisMailbox, grants, now))).toMatchObject({
      access: 'read_write',
    });
  });
});

describe('a guardian of a minor', () => {
  const guardian = grant({
    mailboxId: ingridsMailbox.id,
    granteeRef: KARI,
    role: 'guardian',
    access: 'read_write',
    confidential: true,
  });

  it("reads and writes the minor's mailbox until the 18th birthday", () => {
    expect(fields(decideAccess(person(KARI), ingridsMailbox, [guardian], now))).toEqual({
      mailboxId: ingridsMailbox.id,
      kind: 'person',
      role: 'guardian',
      access: 'read_write',
      confidential: true,
      until: '2028-06-30T00:00:00.000Z',
    });
  });

  it('still acts on the last instant before the birthday, and no longer on the birthday', () => {
    const eve = at('2028-06-29T23:59:59.999Z');
    expect(decideAccess(person(KARI), ingridsMailbox, [guardian], eve)).not.toBe('none');
    const birthday = at('2028-06-30T00:00:00Z');
    expect(decideAccess(person(KARI), ingridsMailbox, [guardian], birthday)).toBe('none');
  });

  it('acts for no one whose birth date the mailbox does not know', () => {
    const grantOfKari = { ...guardian, mailboxId: olasMailbox.id };
    expect(decideAccess(person(KARI), olasMailbox, [grantOfKari], now)).toBe('none');
  });

  it('ends at the earlier of the grant and the birthday', () => {
    const until = at('2026-01-01T00:00:00Z');
    expect(
      fields(decideAccess(person(KARI), ingridsMailbox, [{ ...guardian, until }], now)),
    ).toMatchObject({ until: until.toISOString() });
  });
});

describe("an executor of a deceased person's estate", () => {
  const until = at('2025-09-01T00:00:00Z');
  const executor = grant({ role: 'executor', access: 'read_write', confidential: true, until });

  it('reads, and only reads, until the date the operator set', () => {
    expect(fields(decideAccess(person(OLA), karisMailbox, [executor], now))).toMatchObject({
      role: 'executor',
      access: 'read',
      until: until.toISOString(),
    });
  });

  it('no longer reads after that date', () => {
    expect(decideAccess(person(OLA), karisMailbox, [executor], until)).toBe('none');
  });

  it('reads nothing on a grant without an end date', () => {
    expect(decideAccess(person(OLA), karisMailbox, [{ ...executor, until: null }], now)).toBe(
      'none',
    );
  });
});

describe('deciding who may act for an organisation', () => {
  it('lets an administrator by grant read and write, confidential letters included', () => {
    const admin = grant({
      mailboxId: brreg.id,
      role: 'administrator',
      access: 'read_write',
      confidential: true,
    });
    expect(fields(decideAccess(person(OLA), brreg, [admin], now))).toEqual({
      mailboxId: brreg.id,
      kind: 'organisation',
      role: 'administrator',
      access: 'read_write',
      confidential: true,
      until: null,
    });
  });

  it("lets an administrator named by the token's organisation roles act without a grant", () => {
    expect(
      fields(decideAccess(person(OLA, [brreg.organisationNumber]), brreg, [], now)),
    ).toMatchObject({
      role: 'administrator',
      access: 'read_write',
      confidential: true,
    });
  });

  it('does not let an administrator of one organisation act for another', () => {
    expect(decideAccess(person(OLA, [brreg.organisationNumber]), nav, [], now)).toBe('none');
  });

  it('lets an employee with confidential access see confidential letters', () => {
    const employee = grant({ mailboxId: brreg.id, role: 'employee', confidential: true });
    expect(fields(decideAccess(person(OLA), brreg, [employee], now))).toMatchObject({
      role: 'employee',
      access: 'read',
      confidential: true,
    });
  });

  it('keeps confidential letters from an employee without confidential access', () => {
    const employee = grant({ mailboxId: brreg.id, role: 'employee', access: 'read_write' });
    expect(fields(decideAccess(person(OLA), brreg, [employee], now))).toMatchObject({
      role: 'employee',
      access: 'read_write',
      confidential: false,
    });
  });

  it('does not let an employee of one organisation act for another', () => {
    const employee = grant({ mailboxId: brreg.id, role: 'employee' });
    expect(decideAccess(person(OLA), nav, [employee], now)).toBe('none');
  });

  it("does not let an administrator act for an employee's personal mailbox", () => {
    // Kari administers Brønnøysundregistrene, where Ola works.
    const kari = person(KARI, [brreg.organisationNumber]);
    const adminGrant = grant({ mailboxId: brreg.id, granteeRef: KARI, role: 'administrator' });
    const misfiled = grant({ mailboxId: olasMailbox.id, granteeRef: KARI, role: 'administrator' });
    expect(decideAccess(kari, olasMailbox, [adminGrant, misfiled], now)).toBe('none');
  });

  it('gives a person-only role on an organisation nothing', () => {
    const delegate = grant({ mailboxId: brreg.id, role: 'grantee', access: 'read_write' });
    expect(decideAccess(person(OLA), brreg, [delegate], now)).toBe('none');
  });
});
