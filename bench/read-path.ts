/**
 * The citizen's read path at scale: a database of many letters with one large mailbox, and the
 * inbox list and document download timed over HTTP and (the list) in process.
 */
import { randomBytes } from 'node:crypto';
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
import type { GcEntry } from './gc-kinds';
import { summarize } from './stats';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface ScaleSize {
  /** Letters in the measured citizen's mailbox, each with a real sealed 2 KB document. */
  mailbox: number;
  /** Letters in the whole database, the rest spread over 2,000 other mailboxes. */
  total: number;
}

/** A mailbox of `size.mailbox` real sealed letters inside a database of `size.total` letters. */
export async function seedScale(
  config: AppConfig,
  dbName: string,
  agencyName: string,
  size: ScaleSize,
) {
  const db = await createDataSource(dbUrl(dbName), 4).initialize();
  const directory = new Postkasse(config, { db }).mailboxes;
  const owner = makeSyntheticNorwegianId(new Date('1966-06-06'), 606, 'tenor');
  const mailbox = await directory.findOrCreate(db.manager, owner);
  const dataKey = directory.dataKeyOf(mailbox);
  const [agency] = (await db.query('SELECT id FROM agencies WHERE name = $1', [agencyName])) as {
    id: string;
  }[];
  const docIds: [string, string][] = [];
  const started = Date.now();
  for (let i = 0; i < size.mailbox; i += 1_000) {
    const letters: unknown[][] = [[], [], []];
    const docs: unknown[][] = [[], [], [], []];
    for (let k = i; k < Math.min(size.mailbox, i + 1_000); k += 1) {
      const letterId = uuidv7();
      const docId = uuidv7();
      const at = new Date(Date.now() - k * 60_000);
      letters[0].push(letterId);
      letters[1].push(at);
      letters[2].push(`Seeded letter ${k}`);
      const plaintext = randomBytes(2_048);
      docs[0].push(docId);
      docs[1].push(letterId);
      docs[2].push(
        seal(dataKey, plaintext, documentAad(letterId, docId, mailbox.masterKeyVersion)),
      );
      docs[3].push(plaintext.length);
      docIds.push([letterId, docId]);
    }
    await db.query(
      `INSERT INTO letters (id, agency_id, mailbox_id, title, state, created_at, verified_at, delivered_at)
       SELECT id, $1, $2, title, 'delivered', at, at, at FROM unnest($3::uuid[], $4::timestamptz[], $5::text[]) AS t(id, at, title)`,
      [agency.id, mailbox.id, ...letters],
    );
    await db.query(
      `INSERT INTO documents (id, letter_id, position, filename, media_type, received_sha256, sealed, size, plaintext_sha256)
       SELECT id, letter_id, 0, 'letter.txt', 'text/plain', '\\x00', sealed, size, '\\x00'
         FROM unnest($1::uuid[], $2::uuid[], $3::bytea[], $4::int[]) AS t(id, letter_id, sealed, size)`,
      docs,
    );
  }
  // The rest of the database: other citizens' letters, so indexes and plans see a real size.
  const [{ n }] = (await db.query('SELECT count(*)::int AS n FROM letters')) as { n: number }[];
  const others = Math.max(0, size.total - n);
  await db.query(
    `INSERT INTO mailboxes (id, national_id_hmac, recipient_ref, master_key_version)
     SELECT gen_random_uuid(), decode(md5(g::text || 'bench'), 'hex'), 'bench', 1 FROM generate_series(1, 2000) g`,
  );
  for (let done = 0; done < others; done += 200_000) {
    await db.query(
      `WITH ids AS (SELECT array_agg(id) AS a FROM mailboxes WHERE recipient_ref = 'bench')
       INSERT INTO letters (id, agency_id, mailbox_id, title, state, created_at, verified_at, delivered_at)
       SELECT gen_random_uuid(), $1, ids.a[1 + g % 2000], 'Other letter', 'delivered', t, t, t
         FROM ids, generate_series(1, $2) g, LATERAL (SELECT now() - (g || ' seconds')::interval AS t) ts`,
      [agency.id, Math.min(200_000, others - done)],
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
  let cursor: string | null = null;
  for (let i = -READ_WARM_UP; i < timed; i += 1) {
    const done = startSpan(apiPid);
    const r = await fetch(
      `${api}/v1/mailbox/letters?limit=20${cursor && i % 5 !== 0 ? `&cursor=${cursor}` : ''}`,
      { headers },
    );
    const body = (await r.json()) as { nextCursor: string | null };
    if (i >= 0) spans.push(done());
    cursor = body.nextCursor;
  }
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
  for (let i = -READ_WARM_UP; i < timed; i += 1) {
    const [letterId, docId] = docIds[Math.floor(Math.random() * docIds.length)];
    const done = startSpan(apiPid);
    const r = await fetch(`${api}/v1/mailbox/letters/${letterId}/documents/${docId}`, { headers });
    await r.arrayBuffer();
    if (i >= 0) spans.push(done());
  }
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
