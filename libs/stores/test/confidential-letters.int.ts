import { v7 as uuidv7 } from 'uuid';
import type { DataSource } from 'typeorm';
import { decideAccess, ownerScope, type Grant, type MailboxScope } from '#access';
import { AccessLogStore, MailboxLettersStore, Sql } from '#stores';
import { testDatabase } from '../../../test/support/fixtures';

let db: DataSource;
let close: () => Promise<void>;
let sql: Sql;
let letters: MailboxLettersStore;

const ORGANISATION = '974760673';
const organisation = {
  id: uuidv7(),
  kind: 'organisation' as const,
  organisationNumber: ORGANISATION,
};
const person = { id: uuidv7(), kind: 'person' as const, ownerRef: 'kari' };
const now = new Date();

/** An employee's grant, as the grants table would hold it. */
function employeeGrant(granteeRef: string, confidential: boolean): Grant {
  return {
    id: uuidv7(),
    mailboxId: organisation.id,
    granteeRef,
    role: 'employee',
    access: 'read_write',
    confidential,
    until: null,
    revokedAt: null,
    createdAt: new Date(now.getTime() - 60_000),
  };
}

/** A scope exactly as a request by this employee would get it. */
function employeeScope(granteeRef: string, confidential: boolean): MailboxScope {
  const scope = decideAccess(
    { personRef: granteeRef, administratorOf: [] },
    organisation,
    [employeeGrant(granteeRef, confidential)],
    now,
  );
  if (scope === 'none') throw new Error('the grant should hold');
  return scope;
}

async function letter(mailboxId: string, title: string, confidential: boolean) {
  const letterId = uuidv7();
  await sql.run(
    `INSERT INTO letters (id, agency_id, mailbox_id, title, state, delivered_at, confidential)
     VALUES ($1, $2, $3, $4, 'delivered', now(), $5)`,
    [letterId, agencyId, mailboxId, title, confidential],
  );
  const documentId = uuidv7();
  await sql.run(
    `INSERT INTO documents (id, letter_id, position, filename, media_type, received_sha256, sealed, size)
     VALUES ($1, $2, 0, 'brev.txt', 'text/plain', $3, $4, 4)`,
    [documentId, letterId, Buffer.alloc(32), Buffer.from('data')],
  );
  return { letterId, documentId };
}

let agencyId: string;
let open: { letterId: string; documentId: string };
let secret: { letterId: string; documentId: string };
let personal: { letterId: string; documentId: string };
let withoutConfidential: MailboxScope;
let withConfidential: MailboxScope;

beforeAll(async () => {
  ({ db, close } = await testDatabase());
  sql = new Sql(db);
  letters = new MailboxLettersStore(sql);
  agencyId = uuidv7();
  await sql.run('INSERT INTO agencies (id, name) VALUES ($1, $2)', [agencyId, 'Skatteetaten']);
  await sql.run(
    `INSERT INTO mailboxes (id, kind, organisation_number, recipient_ref, wrapped_data_key, master_key_version)
     VALUES ($1, 'organisation', $2, $3, $4, 1)`,
    [organisation.id, ORGANISATION, `ref-${organisation.id}`, Buffer.alloc(32)],
  );
  await sql.run(
    `INSERT INTO mailboxes (id, national_id_hmac, recipient_ref, wrapped_data_key, master_key_version)
     VALUES ($1, $2, $3, $4, 1)`,
    [person.id, Buffer.from(person.id), `ref-${person.id}`, Buffer.alloc(32)],
  );
  open = await letter(organisation.id, 'Årsregnskap mottatt', false);
  secret = await letter(organisation.id, 'Varsel om bokettersyn', true);
  personal = await letter(person.id, 'Fortrolig helseopplysning', true);
  withoutConfidential = employeeScope('ola', false);
  withConfidential = employeeScope('ingrid', true);
});
afterAll(() => close());

describe('confidential letters, read through scopes made by decideAccess', () => {
  it('gives an employee without confidential access a scope that says so', () => {
    expect(withoutConfidential).toMatchObject({ role: 'employee', confidential: false });
    expect(withConfidential).toMatchObject({ role: 'employee', confidential: true });
  });

  it('leaves a confidential letter out of the list, the search and the counts', async () => {
    const listed = await letters.pageOfInbox(withoutConfidential, { folder: 'inbox', limit: 10 });
    expect(listed.map((l) => l.id)).toEqual([open.letterId]);
    expect(listed[0].confidential).toBe(false);
    const searched = await letters.pageOfInbox(withoutConfidential, {
      folder: 'inbox',
      q: 'bokettersyn',
      limit: 10,
    });
    expect(searched).toEqual([]);
    expect(await letters.summary(withoutConfidential)).toEqual({ unread: 1, needsAction: 0 });
  });

  it('answers a confidential letter by id exactly as a missing one: nothing', async () => {
    expect(await letters.letterInScope(withoutConfidential, secret.letterId)).toBeNull();
    expect(
      await letters.documentToRead(withoutConfidential, secret.letterId, secret.documentId),
    ).toBeNull();
    expect(await letters.senderKeys(withoutConfidential, secret.letterId)).toBeNull();
    expect(await letters.letterInScope(withoutConfidential, uuidv7())).toBeNull();
  });

  it('changes nothing of a confidential letter through a scope without that access', async () => {
    await sql.transaction(async (tx) => {
      await letters.file(tx, withoutConfidential, secret.letterId, 'trash');
      await letters.markUnread(tx, withoutConfidential, secret.letterId);
    });
    expect(await letters.letterInScope(withConfidential, secret.letterId)).toMatchObject({
      folder: 'inbox',
    });
    const row = await sql.run('SELECT marked_unread FROM letters WHERE id = $1', [secret.letterId]);
    expect(row.rows[0]?.marked_unread).toBe(false);
  });

  it('shows confidential letters to an employee with confidential access, marked as such', async () => {
    const listed = await letters.pageOfInbox(withConfidential, { folder: 'inbox', limit: 10 });
    expect(listed.map((l) => [l.id, l.confidential]).sort()).toEqual(
      [
        [open.letterId, false],
        [secret.letterId, true],
      ].sort(),
    );
    expect(await letters.summary(withConfidential)).toEqual({ unread: 2, needsAction: 0 });
    const doc = await letters.documentToRead(withConfidential, secret.letterId, secret.documentId);
    expect(doc?.document?.id).toBe(secret.documentId);
  });

  it("shows a person's own confidential letter to its owner", async () => {
    const owner = ownerScope(person);
    expect(owner.confidential).toBe(true);
    expect(await letters.letterInScope(owner, personal.letterId)).toMatchObject({
      confidential: true,
    });
  });

  it('does not name a confidential letter in the access log of a scope that cannot see it', async () => {
    const log = new AccessLogStore();
    await log.record(sql, {
      mailboxId: organisation.id,
      actor: { kind: 'auditor', id: 'riksrevisjonen', name: 'Riksrevisjonen' },
      action: 'audit.letter_evidence',
      purpose: 'Revisjon',
      letterId: secret.letterId,
    });
    const [hidden] = await log.page(sql, withoutConfidential, 10, null);
    const [shown] = await log.page(sql, withConfidential, 10, null);
    expect(hidden.letter).toBeNull();
    expect(shown.letter).toMatchObject({ id: secret.letterId, title: 'Varsel om bokettersyn' });
  });
});
