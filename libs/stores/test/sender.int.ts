import { createHash } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import type { DataSource } from 'typeorm';
import {
  AccessLogStore,
  ColumnTypeError,
  SEPARATE_DOCUMENT_BYTES,
  SenderLettersStore,
  Sql,
  col,
  type AcceptedLetter,
  type Submission,
} from '#stores';
import { testDatabase } from '../../../test/support/fixtures';

let db: DataSource;
let close: () => Promise<void>;
let sql: Sql;
let store: SenderLettersStore;
let agencyId: string;
let mailboxId: string;

beforeAll(async () => {
  ({ db, close } = await testDatabase());
  sql = new Sql(db);
  store = new SenderLettersStore(sql);
  agencyId = uuidv7();
  mailboxId = uuidv7();
  await sql.run('INSERT INTO agencies (id, name) VALUES ($1, $2)', [agencyId, 'Store agency']);
  await sql.run(
    `INSERT INTO mailboxes (id, national_id_hmac, recipient_ref, master_key_version)
     VALUES ($1, $2, 'cmVm', 1)`,
    [mailboxId, Buffer.from(mailboxId)],
  );
});
afterAll(() => close());

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest();

function submission(key: string, documents: Uint8Array[]): Submission {
  const letterId = uuidv7();
  const answer: AcceptedLetter = {
    id: letterId,
    state: 'accepted',
    receipt: {
      letterId,
      type: 'accepted',
      at: new Date().toISOString(),
      agencyId,
      recipientRef: 'cmVm',
      documents: documents.map((d) => ({ ciphertextSha256: sha(d).toString('hex') })),
      logIndex: null,
    },
  };
  return {
    letter: {
      id: letterId,
      agencyId,
      mailboxId,
      title: 'A letter',
      senderReference: null,
      requiresAcknowledgement: false,
      reminderAfterDays: 7,
      publishAt: null,
      dueDate: null,
      endToEnd: false,
      bulk: false,
      confidential: false,
    },
    documents: documents.map((bytes, position) => ({
      id: uuidv7(),
      position,
      filename: `d${position}.pdf`,
      mediaType: 'application/pdf',
      bytes,
      sha256: sha(bytes),
      signature: null,
    })),
    receiptId: uuidv7(),
    idempotency: { key, requestSha256: sha(Buffer.from(key)), status: 202 },
    answer,
    job: { queue: 'deliver', jobId: `deliver-${letterId}` },
  };
}

const received = (letterId: string) =>
  sql.rows(
    'SELECT received FROM documents WHERE letter_id = $1 ORDER BY position',
    [letterId],
    (r) => col.nullable(col.bytes)(r, 'received'),
  );

describe('SenderLettersStore, the letters an agency submits and follows', () => {
  it('answers a repeated key with the answer stored with the submission, and only for that agency', async () => {
    const s = submission('key-1', [Buffer.from('small')]);
    const job = await sql.transaction((tx) => store.insertSubmission(tx, s));
    expect(job).toMatchObject({ queue: 'deliver', subject_id: s.letter.id });

    const replay = await store.replayIdempotent(sql, agencyId, 'key-1');
    expect(replay).toEqual({
      requestSha256: s.idempotency.requestSha256,
      status: 202,
      response: s.answer,
    });
    expect(await store.replayIdempotent(sql, uuidv7(), 'key-1')).toBeNull();
    expect(await store.replayIdempotent(sql, agencyId, 'key-2')).toBeNull();
  });

  it('tells a second request that the key is held while the first transaction is open', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const lockTaken = new Promise<void>((resolve) => (locked = resolve));
    const first = sql.transaction(async (tx) => {
      expect(await store.lockIdempotencyKey(tx, agencyId, 'held')).toBe(true);
      locked();
      await held;
    });
    await lockTaken;
    expect(await sql.transaction((tx) => store.lockIdempotencyKey(tx, agencyId, 'held'))).toBe(
      false,
    );
    release();
    await first;
    expect(await sql.transaction((tx) => store.lockIdempotencyKey(tx, agencyId, 'held'))).toBe(
      true,
    );
  });

  it('refuses to replay a stored answer that is not an accepted letter', async () => {
    const { answer } = submission('unused', [Buffer.from('x')]);
    const store_ = (key: string, response: unknown) =>
      sql.run(
        `INSERT INTO idempotency_keys (agency_id, key, request_sha256, status, response)
         VALUES ($1, $2, '\\x00', 202, $3)`,
        [agencyId, key, response],
      );
    await store_('delivered', { ...answer, state: 'delivered' });
    await store_('no-type', { ...answer, receipt: { ...answer.receipt, type: 'posted' } });
    await expect(store.replayIdempotent(sql, agencyId, 'delivered')).rejects.toThrow(
      ColumnTypeError,
    );
    await expect(store.replayIdempotent(sql, agencyId, 'no-type')).rejects.toThrow(
      'receipt type "posted" is unknown',
    );
  });

  it('writes a document past the per-statement size by itself, with every byte intact', async () => {
    const large = Buffer.alloc(SEPARATE_DOCUMENT_BYTES + 1, 7);
    const small = Buffer.from('small');
    const s = submission('key-large', [small, large]);
    await sql.transaction((tx) => store.insertSubmission(tx, s));
    const [first, second] = await received(s.letter.id);
    expect(first?.equals(small)).toBe(true);
    expect(second?.equals(large)).toBe(true);
  });

  it('drops the bytes of a withdrawn letter only, whoever asks', async () => {
    const s = submission('key-withdraw', [Buffer.from('kept until withdrawn')]);
    await sql.transaction((tx) => store.insertSubmission(tx, s));
    expect(await store.dropBytesIfWithdrawn(sql, s.letter.id)).toBe(0);
    expect(await received(s.letter.id)).toEqual([Buffer.from('kept until withdrawn')]);

    await sql.run("UPDATE letters SET state = 'withdrawn' WHERE id = $1", [s.letter.id]);
    expect(await store.dropBytesIfWithdrawn(sql, s.letter.id)).toBe(1);
    expect(await received(s.letter.id)).toEqual([null]);
  });

  it('finds a letter only for the agency that sent it', async () => {
    const s = submission('key-own', [Buffer.from('x')]);
    await sql.transaction((tx) => store.insertSubmission(tx, s));
    expect(await store.isOwnLetter(sql, agencyId, s.letter.id)).toBe(true);
    expect(await store.isOwnLetter(sql, uuidv7(), s.letter.id)).toBe(false);
    expect(await store.letterForAgency(uuidv7(), s.letter.id)).toBeNull();
    expect(await store.letterForAgency(agencyId, s.letter.id)).toMatchObject({
      state: 'accepted',
      senderReference: null,
    });
    expect(await store.timelineOf(s.letter.id)).toEqual([
      { type: 'accepted', at: new Date(s.answer.receipt.at) },
    ]);
    expect(await store.mailboxOfLetter(s.letter.id)).toBe(mailboxId);
    expect(await store.mailboxOfLetter(uuidv7())).toBeNull();
  });
});

describe('AccessLogStore', () => {
  it('records who looked at a mailbox and why', async () => {
    await new AccessLogStore().record(sql, {
      mailboxId,
      actor: { kind: 'auditor', id: 'a-1', name: 'Auditor' },
      action: 'audit.letter_evidence',
      purpose: 'complaint 42',
    });
    const rows = await sql.rows(
      'SELECT actor_kind, actor_name, action, purpose FROM access_log WHERE mailbox_id = $1',
      [mailboxId],
      (r) => [
        col.text(r, 'actor_kind'),
        col.text(r, 'actor_name'),
        col.text(r, 'action'),
        col.text(r, 'purpose'),
      ],
    );
    expect(rows).toEqual([['auditor', 'Auditor', 'audit.letter_evidence', 'complaint 42']]);
  });
});
