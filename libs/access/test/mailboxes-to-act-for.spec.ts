import { comingOfAge, mailboxesToActFor } from '#access';
import {
  INGRID,
  KARI,
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

describe('the mailboxes a person may act for', () => {
  it("lists the caller's own mailbox first, then what the grants and token roles give", () => {
    const kari = person(KARI, [nav.organisationNumber]);
    const grants = [
      grant({ mailboxId: olasMailbox.id, granteeRef: KARI, role: 'grantee' }),
      grant({
        mailboxId: ingridsMailbox.id,
        granteeRef: KARI,
        role: 'guardian',
        access: 'read_write',
      }),
      grant({ mailboxId: brreg.id, granteeRef: KARI, role: 'employee' }),
    ];
    const mailboxes = [brreg, olasMailbox, nav, ingridsMailbox, karisMailbox];
    const listed = mailboxesToActFor(kari, mailboxes, grants, now);
    expect(listed.map((s) => [s.mailboxId, s.role])).toEqual([
      [karisMailbox.id, 'owner'],
      [olasMailbox.id, 'grantee'],
      [ingridsMailbox.id, 'guardian'],
      [nav.id, 'administrator'],
      [brreg.id, 'employee'],
    ]);
  });

  it('leaves out mailboxes whose grants have ended or were revoked, and lists each once', () => {
    const grants = [
      grant({ mailboxId: olasMailbox.id, granteeRef: INGRID, until: at('2025-01-01T00:00:00Z') }),
      grant({ mailboxId: brreg.id, granteeRef: INGRID, role: 'employee', revokedAt: now }),
    ];
    const listed = mailboxesToActFor(
      person(INGRID),
      [ingridsMailbox, olasMailbox, brreg, ingridsMailbox],
      grants,
      now,
    );
    expect(listed.map((s) => s.mailboxId)).toEqual([ingridsMailbox.id]);
  });
});

describe('coming of age', () => {
  it('is the start of the 18th birthday', () => {
    expect(comingOfAge('2010-06-30')?.toISOString()).toBe('2028-06-30T00:00:00.000Z');
  });

  it('is 1 March for someone born on 29 February, in a year without one', () => {
    expect(comingOfAge('2008-02-29')?.toISOString()).toBe('2026-03-01T00:00:00.000Z');
  });

  it('is unknown for what is not a date', () => {
    expect(comingOfAge('2010-02-30')).toBeNull();
    expect(comingOfAge('30.06.2010')).toBeNull();
  });
});
