import { randomUUID } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import type { DataSource } from 'typeorm';
import { Postkasse } from '#composition';
import type { AppConfig } from '#config';
import { readPlatformKey } from '#crypto';
import { createPartitionsAhead, partitionTables, unpartitionTables } from '#database';
import { JobProducer, producerConnection } from '#queue';
import {
  inlineOpener,
  signingAgency,
  submitCommand,
  testConfig,
  testDatabase,
  textSubmission,
} from '../../../test/support/fixtures';
import { makeSyntheticNorwegianId } from '#identity';
import { CitizenMailbox } from '../src/mailbox/citizen-mailbox';
import { DeliverLetter } from '../src/delivery/deliver-letter';
import { MailboxDirectory } from '../src/mailbox/mailbox-directory';
import { ReceiptSequencer } from '../src/receipts/receipt-sequencer';
import { stageReceipt } from '../src/receipts/receipt-staging';
import { SenderLetters } from '../src/sending/sender-letters';
import { SubmitLetter } from '../src/sending/submit-letter';
import { WebhookRegistry } from '../src/webhooks/webhook-registry';

jest.setTimeout(60_000);

const TABLES = ['letters', 'documents', 'receipts', 'receipt_log', 'access_log'];
const nationalId = makeSyntheticNorwegianId(new Date('1991-01-19'), 311, 'tenor');
const DAY = 86_400_000;

let db: DataSource;
let url: string;
let close: () => Promise<void>;
let config: AppConfig;
let agencyId: string;
let agencyKey: string;
let platformPublic: string;
let producer: JobProducer;
let submit: SubmitLetter;
let directory: MailboxDirectory;
let citizen: CitizenMailbox;
let sender: SenderLetters;
let sequencer: ReceiptSequencer;
let webhookId: string;
let plainSchema: unknown;
let plainCounts: Record<string, number>;
/** A letter submitted before partitioning, one inserted as of five months ago, one with a v4 id. */
const before = { current: '', old: '', oldDocument: '', oldAccess: '', random: randomUUID() };
const fiveMonthsAgo = Date.now() - 150 * DAY;

/** Partition names follow the UTC month of the id. */
function month(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}_${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

async function count(sql: string, params: unknown[] = []): Promise<number> {
  const [row] = (await db.query(sql, params)) as { n: string }[];
  return Number(row.n);
}

async function partitionOf(table: string, column: string, value: string): Promise<string[]> {
  const rows = (await db.query(
    `SELECT DISTINCT tableoid::regclass::text AS part FROM ${table} WHERE ${column} = $1`,
    [value],
  )) as { part: string }[];
  return rows.map((r) => r.part);
}

async function counts(): Promise<Record<string, number>> {
  const result: Record<string, number> = {};
  for (const t of TABLES) result[t] = await count(`SELECT count(*) AS n FROM ${t}`);
  return result;
}

/** Everything of the schema that a round trip could lose; the partitioning's own ledger aside. */
async function schema(): Promise<unknown> {
  return db.query(`
    SELECT * FROM (
      SELECT 'column' AS kind, table_name || '.' || column_name AS name,
             concat_ws(' ', ordinal_position, data_type, is_nullable, column_default) AS definition
        FROM information_schema.columns WHERE table_schema = 'public'
      UNION ALL
      SELECT 'constraint', conrelid::regclass::text || '.' || conname, pg_get_constraintdef(oid)
        FROM pg_constraint WHERE connamespace = 'public'::regnamespace
      UNION ALL
      SELECT 'index', indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'
      UNION ALL
      SELECT 'trigger', tgrelid::regclass::text || '.' || tgname, pg_get_triggerdef(oid)
        FROM pg_trigger WHERE NOT tgisinternal
      UNION ALL
      SELECT 'relation', relname, relkind::text FROM pg_class
       WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p', 'S')
      UNION ALL
      SELECT 'function', proname, pg_get_function_identity_arguments(oid) FROM pg_proc
       WHERE pronamespace = 'public'::regnamespace
      UNION ALL
      SELECT 'owned', s.relname, d.refobjid::regclass::text || '.' || a.attname
        FROM pg_depend d JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
        JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
       WHERE d.deptype = 'a'
    ) s WHERE name || definition NOT LIKE '%schema_migrations_partitioning%'
    ORDER BY kind, name, definition`);
}

async function submitLetter(text: string): Promise<string> {
  const submission = await textSubmission(text, nationalId, {
    platformPublicKey: platformPublic,
    signingPrivateKey: agencyKey,
  });
  return (await submit.execute(submitCommand(agencyId, submission))).body.id;
}

/** Submit, deliver, read the document, sequence: every table the partitioning touches gets rows. */
async function letterFlow(text: string): Promise<string> {
  const id = await submitLetter(text);
  const outcome = await new DeliverLetter(db, directory, await inlineOpener(config)).execute(id);
  expect(outcome).toEqual({ kind: 'done', state: 'delivered' });
  const mailbox = await citizen.open(nationalId);
  const view = await citizen.get(mailbox, id);
  const document = await citizen.readDocument(mailbox, id, view.documents[0].id);
  expect(document.content.toString()).toBe(text);
  while ((await sequencer.sequenceBatch()) > 0);
  return id;
}

beforeAll(async () => {
  ({ db, url, close } = await testDatabase());
  config = await testConfig(url);
  ({ agencyId, signingKey: agencyKey } = await signingAgency(db));
  const platform = await readPlatformKey(config.platformOpenPgpKey);
  platformPublic = platform.key.toPublic().armor();
  // Nothing listens on port 1: jobs stay in the outbox, which is all these tests need of a queue.
  producer = new JobProducer(producerConnection('redis://127.0.0.1:1'), 'pk-partitioned');
  const root = new Postkasse(config, { db, producer });
  directory = root.mailboxes;
  citizen = root.citizenMailbox;
  sender = root.senderLetters;
  // Without an outbox: the webhook deliveries it stages stay in the table for the test to read.
  sequencer = new ReceiptSequencer(db, config.receiptSigningKey);
  submit = await root.submitLetter();
  webhookId = (
    await new WebhookRegistry(db, config.masterKeys, true, 10).create(
      agencyId,
      'https://example.org/hook',
    )
  ).id;

  before.current = await letterFlow('before partitioning');
  const mailbox = (await directory.find(db.manager, nationalId))!;
  before.old = uuidv7({ msecs: fiveMonthsAgo });
  before.oldDocument = uuidv7({ msecs: fiveMonthsAgo });
  before.oldAccess = uuidv7({ msecs: fiveMonthsAgo });
  const at = new Date(fiveMonthsAgo);
  for (const id of [before.old, before.random])
    await db.query(
      `INSERT INTO letters (id, agency_id, mailbox_id, title, state, created_at, delivered_at)
       VALUES ($1, $2, $3, 'old', 'delivered', $4, $4)`,
      [id, agencyId, mailbox.id, at],
    );
  await db.query(
    `INSERT INTO documents (id, letter_id, position, filename, media_type, received_sha256)
     VALUES ($1, $2, 0, 'old.txt', 'text/plain', decode(repeat('ab', 32), 'hex'))`,
    [before.oldDocument, before.old],
  );
  await stageReceipt(db.manager, before.old, 'delivered', { at });
  await db.query(
    `INSERT INTO access_log (id, mailbox_id, at, actor_kind, actor_id, actor_name, action, purpose)
     VALUES ($1, $2, $3, 'agency', $4, 'Test agency', 'lookup', 'test')`,
    [before.oldAccess, mailbox.id, at, agencyId],
  );
  while ((await sequencer.sequenceBatch()) > 0);

  plainSchema = await schema();
  plainCounts = await counts();
  expect(await partitionTables(url)).toEqual(['PartitionLettersAndReceipts1764400000000']);
});

afterAll(async () => {
  await producer.close();
  await close();
});

describe('partitioning a database that has data', () => {
  it('makes the tables partitioned and keeps every row', async () => {
    const kinds = (await db.query(
      'SELECT relname, relkind FROM pg_class WHERE relname = ANY($1) ORDER BY relname',
      [TABLES],
    )) as { relname: string; relkind: string }[];
    expect(kinds.map((k) => k.relkind)).toEqual(['p', 'p', 'p', 'p', 'p']);
    expect(await counts()).toEqual(plainCounts);
  });

  it('puts each row in the partition of its month, and a letter with a random id in the default', async () => {
    const now = month(Date.now());
    const then = month(fiveMonthsAgo);
    expect(await partitionOf('letters', 'id', before.current)).toEqual([`letters_${now}`]);
    expect(await partitionOf('documents', 'letter_id', before.current)).toEqual([
      `documents_${now}`,
    ]);
    expect(await partitionOf('receipts', 'letter_id', before.current)).toEqual([`receipts_${now}`]);
    expect(await partitionOf('letters', 'id', before.old)).toEqual([`letters_${then}`]);
    expect(await partitionOf('documents', 'id', before.oldDocument)).toEqual([`documents_${then}`]);
    expect(await partitionOf('receipts', 'letter_id', before.old)).toEqual([`receipts_${then}`]);
    expect(await partitionOf('access_log', 'id', before.oldAccess)).toEqual([`access_log_${then}`]);
    expect(await partitionOf('letters', 'id', before.random)).toEqual(['letters_default']);
    expect(await partitionOf('receipt_log', 'letter_id', before.current)).toEqual([
      'receipt_log_0',
    ]);
  });

  it('runs the letter flow: submit, deliver, read, receipts signed in the log, webhooks staged', async () => {
    const indexBefore = await count('SELECT max(log_index) AS n FROM receipt_log');
    const id = await letterFlow('after partitioning');
    expect(await partitionOf('letters', 'id', id)).toEqual([`letters_${month(Date.now())}`]);
    const { items } = await sender.receipts(agencyId, id);
    expect(items.map((r) => r.type)).toEqual(['accepted', 'delivered', 'read']);
    expect(items.every((r) => typeof r.jws === 'string' && r.logIndex! > indexBefore)).toBe(true);
    const indexes = (await db.query('SELECT log_index FROM receipt_log ORDER BY log_index')) as {
      log_index: string;
    }[];
    expect(indexes.map((r) => Number(r.log_index))).toEqual(indexes.map((_, i) => i));
    const deliveries = await new WebhookRegistry(db, config.masterKeys, true, 10).deliveries(
      agencyId,
      webhookId,
      undefined,
      50,
    );
    expect(deliveries.items.filter((d) => d.letterId === id)).toHaveLength(3);
    const mailbox = await citizen.open(nationalId);
    const inbox = await citizen.list(mailbox, { folder: 'inbox', limit: 10 });
    expect(inbox.items.map((l) => l.id)).toEqual(expect.arrayContaining([id, before.current]));
  });

  it('still refuses duplicates and second log entries', async () => {
    const [letter] = (await db.query('SELECT * FROM letters WHERE id = $1', [before.current])) as {
      mailbox_id: string;
    }[];
    await expect(
      db.query(
        `INSERT INTO letters (id, agency_id, mailbox_id, title, state) VALUES ($1, $2, $3, 't', 'accepted')`,
        [before.current, agencyId, letter.mailbox_id],
      ),
    ).rejects.toMatchObject({
      code: '23505',
      constraint: expect.stringMatching(/^letters_.*pkey$/),
    });
    await expect(
      db.query(
        `INSERT INTO documents (id, letter_id, position, filename, media_type, received_sha256)
         VALUES ($1, $2, 0, 'b.txt', 'text/plain', decode(repeat('ab', 32), 'hex'))`,
        [uuidv7(), before.current],
      ),
    ).rejects.toMatchObject({
      code: '23505',
      constraint: expect.stringMatching(/^documents_.*letter_id_position_key$/),
    });

    // A job that runs twice stages nothing the second time: ON CONFLICT still has its index.
    const receipts = await count('SELECT count(*) AS n FROM receipts');
    const again = await stageReceipt(db.manager, before.current, 'delivered');
    expect(again.logIndex).not.toBeNull();
    expect(await count('SELECT count(*) AS n FROM receipts')).toBe(receipts);

    const [entry] = (await db.query(
      'SELECT * FROM receipt_log ORDER BY log_index DESC LIMIT 1',
    )) as Record<string, unknown>[];
    const append = (index: number) =>
      db.transaction((m) =>
        m.query(
          `INSERT INTO receipt_log (log_index, receipt_id, letter_id, agency_id, type, at, leaf_hash, jws)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
          [
            index,
            entry.receipt_id,
            entry.letter_id,
            entry.agency_id,
            entry.type,
            entry.at,
            entry.leaf_hash,
            entry.jws,
          ],
        ),
      );
    await expect(append(Number(entry.log_index))).rejects.toMatchObject({ code: '23505' });
    // The same receipt once more at a new index: the deferred foreign key refuses it at commit.
    await expect(append(Number(entry.log_index) + 1)).rejects.toMatchObject({
      code: '23503',
      constraint: 'receipt_log_receipt_fkey',
    });
  });

  it('keeps the log append-only, each partition included', async () => {
    await expect(db.query(`UPDATE receipt_log SET jws = 'x'`)).rejects.toThrow(/append-only/);
    await expect(db.query('DELETE FROM receipt_log_0')).rejects.toThrow(/append-only/);
    // Webhook deliveries now reference the log, which refuses TRUNCATE before the trigger does.
    const refused = /append-only|referenced in a foreign key/;
    await expect(db.query('TRUNCATE receipt_log')).rejects.toThrow(refused);
    const parts = (await db.query(
      `SELECT c.relname, EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid
                                  AND t.tgname = 'receipt_log_no_truncate') AS guarded
         FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'receipt_log'::regclass ORDER BY c.relname`,
    )) as { relname: string; guarded: boolean }[];
    expect(parts.map((p) => p.relname)).toEqual([
      'receipt_log_0',
      'receipt_log_100000000',
      'receipt_log_default',
    ]);
    expect(parts.every((p) => p.guarded)).toBe(true);
    for (const p of parts) await expect(db.query(`TRUNCATE ${p.relname}`)).rejects.toThrow(refused);
  });

  it('creates the coming months once, and skips a month whose rows already went to the default', async () => {
    const far = Date.now() + 240 * DAY;
    const early = uuidv7({ msecs: far });
    const [letter] = (await db.query('SELECT mailbox_id FROM letters WHERE id = $1', [
      before.current,
    ])) as { mailbox_id: string }[];
    await db.query(
      `INSERT INTO letters (id, agency_id, mailbox_id, title, state) VALUES ($1, $2, $3, 'early', 'accepted')`,
      [early, agencyId, letter.mailbox_id],
    );
    expect(await partitionOf('letters', 'id', early)).toEqual(['letters_default']);

    const created = await createPartitionsAhead(db, 10);
    expect(created).toContain(`documents_${month(far)}`);
    expect(created).not.toContain(`letters_${month(far)}`);
    expect(created).toContain(`letters_${month(far + 31 * DAY)}`);
    expect(await createPartitionsAhead(db, 10)).toEqual([]);
    expect(await partitionOf('letters', 'id', early)).toEqual(['letters_default']);
  });
});

describe('undoing the partitioning', () => {
  it('restores the plain schema with every row, and the flow still runs', async () => {
    const rows = await counts();
    expect(await unpartitionTables(url)).toBe('PartitionLettersAndReceipts1764400000000');
    expect(await schema()).toEqual(plainSchema);
    expect(await counts()).toEqual(rows);
    const id = await letterFlow('after undoing');
    expect(await count('SELECT count(*) AS n FROM receipt_log WHERE letter_id = $1', [id])).toBe(3);
    expect(await unpartitionTables(url)).toBeNull();
  });
});
