/**
 * The citizen's read path at scale: a database of many letters with one large mailbox, and the
 * inbox list and document download timed over HTTP and (the list) in process.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import type { AppConfig } from '#config';
import { documentAad, seal } from '#crypto';
import { createDataSource } from '#database';
import { makeSyntheticNorwegianId } from '#identity';
import { VISIBLE_TO_CITIZEN } from '#lifecycle';
import { Postkasse } from '#composition';
import { dbUrl } from './db';
import { runClient } from './processes';
import { startSpan, type RequestSpan } from './request-span';
import { StatusCheck } from './status-check';
import type { GcEntry } from './gc-kinds';
import { summarize } from './stats';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface ScaleSize {
  /** Letters in the measured citizen's mailbox, each with a real sealed 2 KB document. */
  mailbox: number;
  /** Letters in the whole database, the rest spread over 2,000 other mailboxes. */
  total: number;
}

interface SeedMailbox {
  id: string;
  dataKey: Buffer;
  masterKeyVersion: number;
}

/** Plaintext bytes of every seeded document. */
const SEEDED_DOCUMENT_BYTES = 2_048;

/**
 * Delivered letters of `mailboxOf(k)` for k in [from, to), each with one document sealed as
 * delivery seals it (the mailbox's data key, the document's AAD) and the digests a receipt
 * carries: 32-byte SHA-256s, which a first read puts into its receipt. Seeded letters never had
 * an OpenPGP message; the received digest is that of the sealed bytes, a real digest of a real
 * blob. Returns [letterId, documentId] of each.
 */
async function insertSealedLetters(
  db: DataSource,
  agencyId: string,
  from: number,
  to: number,
  mailboxOf: (k: number) => SeedMailbox,
  title: (k: number) => string,
): Promise<[string, string][]> {
  const letters: unknown[][] = [[], [], [], []];
  const docs: unknown[][] = [[], [], [], [], [], []];
  const ids: [string, string][] = [];
  for (let k = from; k < to; k += 1) {
    const mailbox = mailboxOf(k);
    const letterId = uuidv7();
    const docId = uuidv7();
    letters[0].push(letterId);
    letters[1].push(mailbox.id);
    letters[2].push(new Date(Date.now() - k * 60_000));
    letters[3].push(title(k));
    const plaintext = randomBytes(SEEDED_DOCUMENT_BYTES);
    const sealed = seal(
      mailbox.dataKey,
      plaintext,
      documentAad(letterId, docId, mailbox.masterKeyVersion),
    );
    docs[0].push(docId);
    docs[1].push(letterId);
    docs[2].push(sealed);
    docs[3].push(plaintext.length);
    docs[4].push(sha256(sealed));
    docs[5].push(sha256(plaintext));
    ids.push([letterId, docId]);
  }
  await db.query(
    `INSERT INTO letters (id, agency_id, mailbox_id, title, state, created_at, verified_at, delivered_at)
     SELECT id, $1, mailbox_id, title, 'delivered', at, at, at
       FROM unnest($2::uuid[], $3::uuid[], $4::timestamptz[], $5::text[]) AS t(id, mailbox_id, at, title)`,
    [agencyId, ...letters],
  );
  await db.query(
    `INSERT INTO documents (id, letter_id, position, filename, media_type, received_sha256, sealed, size, plaintext_sha256)
     SELECT id, letter_id, 0, 'letter.txt', 'text/plain', received_sha256, sealed, size, plaintext_sha256
       FROM unnest($1::uuid[], $2::uuid[], $3::bytea[], $4::int[], $5::bytea[], $6::bytea[])
         AS t(id, letter_id, sealed, size, received_sha256, plaintext_sha256)`,
    docs,
  );
  return ids;
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest();

/** Mailboxes that hold the rest of the database's letters. */
const OTHER_MAILBOXES = 2_000;

/**
 * A mailbox of `size.mailbox` real sealed letters inside a database of `size.total` letters,
 * every one of them with a real sealed document, so any of them can be read.
 */
export async function seedScale(
  config: AppConfig,
  dbName: string,
  agencyName: string,
  size: ScaleSize,
) {
  const db = await createDataSource(dbUrl(dbName), 4).initialize();
  const directory = new Postkasse(config, { db }).mailboxes;
  const open = async (nationalId: string): Promise<SeedMailbox> => {
    const mailbox = await directory.findOrCreate(db.manager, nationalId);
    return {
      id: mailbox.id,
      dataKey: directory.dataKeyOf(mailbox),
      masterKeyVersion: mailbox.masterKeyVersion,
    };
  };
  const owner = makeSyntheticNorwegianId(new Date('1966-06-06'), 606, 'tenor');
  const mailbox = await open(owner);
  const [agency] = (await db.query('SELECT id FROM agencies WHERE name = $1', [agencyName])) as {
    id: string;
  }[];
  const docIds: [string, string][] = [];
  const started = Date.now();
  for (let i = 0; i < size.mailbox; i += 1_000) {
    const to = Math.min(size.mailbox, i + 1_000);
    docIds.push(
      ...(await insertSealedLetters(
        db,
        agency.id,
        i,
        to,
        () => mailbox,
        (k) => `Seeded letter ${k}`,
      )),
    );
  }
  // The rest of the database: other citizens' letters, so indexes and plans see a real size.
  const [{ n }] = (await db.query('SELECT count(*)::int AS n FROM letters')) as { n: number }[];
  const others = Math.max(0, size.total - n);
  const mailboxes: SeedMailbox[] = [];
  for (let i = 0; i < Math.min(OTHER_MAILBOXES, others); i += 1) {
    // 2,000 consecutive birth dates with one serial: distinct, valid synthetic numbers.
    const born = new Date(Date.UTC(1940, 0, 1) + i * 86_400_000);
    mailboxes.push(await open(makeSyntheticNorwegianId(born, 450, 'tenor')));
  }
  for (let done = 0; done < others; done += 2_000) {
    await insertSealedLetters(
      db,
      agency.id,
      done,
      Math.min(others, done + 2_000),
      (k) => mailboxes[k % mailboxes.length],
      () => 'Other letter',
    );
  }
  await db.query('VACUUM ANALYZE letters');
  await db.query('VACUUM ANALYZE documents');
  const [{ total }] = (await db.query('SELECT count(*)::int AS total FROM letters')) as {
    total: number;
  }[];
  await db.destroy();
  return { owner, docIds, total, seedSeconds: (Date.now() - started) / 1000 };
}

/** Requests of each kind before timing starts: the API's first ones also compile its code. */
export const READ_WARM_UP = 50;

/** `timed` inbox-list pages over HTTP, one at a time, one in five from the first page. */
export async function timeList(api: string, token: string, timed: number, apiPid?: number) {
  const headers = { authorization: `Bearer ${token}` };
  const spans: RequestSpan[] = [];
  const status = new StatusCheck('inbox list');
  let cursor: string | null = null;
  for (let i = -READ_WARM_UP; i < timed; i += 1) {
    const done = startSpan(apiPid);
    const url = `${api}/v1/mailbox/letters?limit=20${cursor && i % 5 !== 0 ? `&cursor=${cursor}` : ''}`;
    const r = await fetch(url, { headers });
    const body = await status.read(r, url);
    if (i >= 0) spans.push(done());
    cursor = r.ok
      ? (JSON.parse(body.toString('utf8')) as { nextCursor: string | null }).nextCursor
      : null;
  }
  status.assertAllOk();
  return { ...summarize(spans.map((s) => s.end - s.start)), spans };
}

/** `timed` downloads of random documents of the mailbox over HTTP, one at a time. */
export async function timeDownloads(
  api: string,
  token: string,
  docIds: [string, string][],
  timed: number,
  apiPid?: number,
) {
  const headers = { authorization: `Bearer ${token}` };
  const spans: RequestSpan[] = [];
  const status = new StatusCheck('document download');
  for (let i = -READ_WARM_UP; i < timed; i += 1) {
    const [letterId, docId] = docIds[Math.floor(Math.random() * docIds.length)];
    const done = startSpan(apiPid);
    const url = `${api}/v1/mailbox/letters/${letterId}/documents/${docId}`;
    await status.read(await fetch(url, { headers }), url);
    if (i >= 0) spans.push(done());
  }
  status.assertAllOk();
  return { ...summarize(spans.map((s) => s.end - s.start)), spans };
}

export interface ReadClientArgs {
  api: string;
  token: string;
  docIds: [string, string][];
  timed: number;
  kinds: ('list' | 'download')[];
  /** The API's process, to tell how long its main thread waited for a CPU per request. */
  apiPid?: number;
}

type Timed = Awaited<ReturnType<typeof timeList>>;

/** The reads timed by a client process of their own (read-client.ts), with its collections. */
export async function measureReads<K extends 'list' | 'download' = 'list' | 'download'>(
  args: Omit<ReadClientArgs, 'kinds'> & { kinds?: K[] },
): Promise<Record<K, Timed> & { own: GcEntry[] }> {
  return runClient<Record<K, Timed> & { own: GcEntry[] }>('read-client', {
    kinds: ['list', 'download'],
    ...args,
  });
}

/**
 * The inbox list without HTTP, token check or the API process: the use case against the same
 * database, and PostgreSQL's plan for the first page. Set beside the HTTP figures, it says how
 * much of the latency is the database.
 */
export async function measureListInProcess(
  config: AppConfig,
  dbName: string,
  owner: string,
  timed: number,
  quietWaitMs: number,
) {
  const db = await createDataSource(dbUrl(dbName), 2).initialize();
  const mailboxes = new Postkasse(config, { db }).citizenMailbox;
  const mailbox = await mailboxes.open(owner);
  const timeList = async () => {
    const times: number[] = [];
    let cursor: string | undefined;
    for (let i = -READ_WARM_UP; i < timed; i += 1) {
      const t0 = performance.now();
      const page = await mailboxes.list(mailbox, {
        folder: 'inbox',
        limit: 20,
        ...(cursor && i % 5 !== 0 ? { cursor } : {}),
      });
      if (i >= 0) times.push(performance.now() - t0);
      cursor = page.nextCursor ?? undefined;
    }
    return summarize(times);
  };
  const list = await timeList();
  // Again once the database has written out the million rows and the machine is quiet, to tell
  // the query's own tail from that of a busy server.
  await sleep(quietWaitMs);
  const listQuiet = await timeList();
  // The shape of the list query (CitizenMailbox.list) for the first page.
  const plan = (await db.query(
    `EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
     SELECT l.id, l.title, (SELECT json_agg(d.id) FROM documents d WHERE d.letter_id = l.id)
       FROM letters l JOIN agencies a ON a.id = l.agency_id
      WHERE l.mailbox_id = $1 AND l.state = ANY($2::text[]) AND l.purged_at IS NULL
        AND l.folder = 'inbox' AND l.delivered_at IS NOT NULL
      ORDER BY l.delivered_at DESC, l.id DESC LIMIT 21`,
    [mailbox.mailboxId, VISIBLE_TO_CITIZEN],
  )) as { 'QUERY PLAN': string }[];
  await db.destroy();
  return { list, listQuiet, plan: plan.map((r) => r['QUERY PLAN']) };
}
