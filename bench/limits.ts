/** The machine's own limits for the work the pipeline does, measured in the same run. */
import { availableParallelism } from 'node:os';
import { randomBytes } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import type { AgencySigningKey, OpenPgpLimits } from '#crypto';
import { DocumentOpenerPool } from '../apps/worker/src/openpgp/document-opener-pool';

export interface OpenPgpLetter {
  documents: Uint8Array[];
  agencyKey: AgencySigningKey;
}

/** Letters (all their documents) decrypted, verified and sealed per second on every core. */
export async function openpgpLimit(
  platformKey: string,
  limits: OpenPgpLimits,
  letters: OpenPgpLetter[],
  seconds: number,
) {
  const threads = availableParallelism();
  const pool = new DocumentOpenerPool(platformKey, limits, 120_000, threads);
  // The worker seals each plaintext in the thread that decrypted it; so does this limit.
  const seal = { key: randomBytes(32), aad: Buffer.from('bench') };
  const deadline = Date.now() + seconds * 1000;
  let done = 0;
  let i = 0;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: threads * 2 }, async () => {
      while (Date.now() < deadline) {
        const letter = letters[i++ % letters.length];
        await Promise.all(
          letter.documents.map((d) => pool.openAndSeal(d, [letter.agencyKey], new Date(), seal)),
        );
        done += 1;
      }
    }),
  );
  const perSecond = done / ((Date.now() - started) / 1000);
  await pool.close();
  return { perSecond, threads };
}

/** Rows of the same size as a letter's documents, inserted by 8 clients, one per transaction. */
export async function postgresInsertLimit(url: string, rowBytes: number, seconds: number) {
  const clients = await Promise.all(
    Array.from({ length: 8 }, async () => {
      const c = new Client({ connectionString: url });
      await c.connect();
      return c;
    }),
  );
  await clients[0].query(
    'CREATE TABLE IF NOT EXISTS bench_insert (id bigserial PRIMARY KEY, body bytea NOT NULL)',
  );
  const payload = randomBytes(rowBytes);
  const deadline = Date.now() + seconds * 1000;
  let done = 0;
  const started = Date.now();
  await Promise.all(
    clients.map(async (c) => {
      while (Date.now() < deadline) {
        await c.query('INSERT INTO bench_insert (body) VALUES ($1)', [payload]);
        done += 1;
      }
    }),
  );
  const perSecond = done / ((Date.now() - started) / 1000);
  await clients[0].query('DROP TABLE bench_insert');
  await Promise.all(clients.map((c) => c.end()));
  return { perSecond };
}

/** No-op BullMQ jobs through one worker process (this one), concurrency 50. */
export async function bullmqLimit(redisUrl: string, jobs: number) {
  const prefix = `pk-bench-noop-${randomBytes(3).toString('hex')}`;
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue('noop', { connection, prefix });
  for (let i = 0; i < jobs; i += 1000) {
    await queue.addBulk(
      Array.from({ length: Math.min(1000, jobs - i) }, (_, k) => ({
        name: 'noop',
        data: { i: i + k },
        opts: { removeOnComplete: true },
      })),
    );
  }
  let done = 0;
  let resolveAll!: () => void;
  const finished = new Promise<void>((resolve) => (resolveAll = resolve));
  const started = Date.now();
  const worker = new Worker(
    'noop',
    async () => {
      done += 1;
      if (done === jobs) resolveAll();
    },
    { connection: new Redis(redisUrl, { maxRetriesPerRequest: null }), prefix, concurrency: 50 },
  );
  await finished;
  const perSecond = jobs / ((Date.now() - started) / 1000);
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  connection.disconnect();
  return { perSecond };
}

export interface MachineLimits {
  openpgp: { perSecond: number; threads: number };
  postgresInsert: { perSecond: number };
  bullmq: { perSecond: number };
}

/** The three limits one after another, as the benchmark measures them before and after its run. */
export async function machineLimits(
  platformKey: string,
  openpgpLimits: OpenPgpLimits,
  letters: OpenPgpLetter[],
  urls: { db: string; redis: string },
  quick: boolean,
): Promise<MachineLimits> {
  process.stdout.write('openpgp… ');
  const openpgp = await openpgpLimit(platformKey, openpgpLimits, letters, quick ? 4 : 8);
  process.stdout.write('PostgreSQL… ');
  const postgresInsert = await postgresInsertLimit(urls.db, 22 * 1024, quick ? 3 : 5);
  process.stdout.write('BullMQ… ');
  const bullmq = await bullmqLimit(urls.redis, quick ? 10_000 : 30_000);
  console.log('done');
  return { openpgp, postgresInsert, bullmq };
}

/**
 * The limits a run's figures are set against: the mean of the two measurements, so that a
 * machine that got busier (or quieter) while the run went on does not bias the ratios one way.
 */
export function meanLimits(before: MachineLimits, after: MachineLimits): MachineLimits {
  const mean = (a: number, b: number) => (a + b) / 2;
  return {
    openpgp: {
      perSecond: mean(before.openpgp.perSecond, after.openpgp.perSecond),
      threads: before.openpgp.threads,
    },
    postgresInsert: {
      perSecond: mean(before.postgresInsert.perSecond, after.postgresInsert.perSecond),
    },
    bullmq: { perSecond: mean(before.bullmq.perSecond, after.bullmq.perSecond) },
  };
}

/** Each limit before → after; a change of more than 15 % is flagged, the machine was not steady. */
export function describeLimits(before: MachineLimits, after: MachineLimits): string {
  const line = (name: string, unit: string, a: number, b: number) => {
    const change = (b - a) / a;
    const flag =
      Math.abs(change) > 0.15 ? ' — changed by more than 15 %, the machine was not steady' : '';
    return `  ${name}: ${a.toFixed(0)} → ${b.toFixed(0)} ${unit} (${change >= 0 ? '+' : ''}${(change * 100).toFixed(0)} %)${flag}`;
  };
  return [
    'Limits before → after the run:',
    line(
      'openpgp decrypt + verify + seal',
      'letters/s',
      before.openpgp.perSecond,
      after.openpgp.perSecond,
    ),
    line(
      'PostgreSQL insert',
      'rows/s',
      before.postgresInsert.perSecond,
      after.postgresInsert.perSecond,
    ),
    line('BullMQ no-op jobs', 'jobs/s', before.bullmq.perSecond, after.bullmq.perSecond),
  ].join('\n');
}
