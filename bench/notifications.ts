/**
 * `node dist/bench/notifications.js [--quick]` (also the second part of `npm run bench`)
 *
 * Notification throughput: a real worker process sends "you have mail" emails for delivered
 * letters to an SMTP listener in this process (smtp-server on loopback), each with its claim,
 * its record and its `notified` receipt in PostgreSQL. Beside it, in the same run, the limit:
 * raw nodemailer (pooled, same pool size) to the same listener, with no database at all.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Queue } from 'bullmq';
import { Client } from 'pg';
import { SMTPServer } from 'smtp-server';
import { createDataSource } from '#database';
import { createMailSender, renderLetterEmail } from '#notifications';
import { fmt } from './stats';

const ROOT = resolve(__dirname, '../..');
const SERVER =
  process.env.DATABASE_URL ?? 'postgresql://postkasse:postkasse@127.0.0.1:5432/postkasse';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const POOL_SIZE = 5;

function dbUrl(name: string): string {
  const url = new URL(SERVER);
  url.pathname = `/${name}`;
  return url.toString();
}

async function admin(sql: string): Promise<void> {
  const c = new Client({ connectionString: dbUrl('postgres') });
  await c.connect();
  await c.query(sql);
  await c.end();
}

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? res(a.port) : rej(new Error('no port'))));
    });
  });
}

/** An SMTP listener that accepts everything and counts. */
async function startSink(): Promise<{ port: number; count: () => number; close: () => void }> {
  let received = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    closeTimeout: 100,
    onData(stream, _session, callback) {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        received += 1;
        callback();
      });
    },
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return { port, count: () => received, close: () => server.close() };
}

async function waitUntil(probe: () => boolean | Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The limit: pooled nodemailer to the same listener, the same email, nothing else. */
async function rawRate(port: number, emails: number, count: () => number) {
  const sender = createMailSender({
    smtpUrl: `smtp://127.0.0.1:${port}`,
    poolSize: POOL_SIZE,
    dkim: null,
  });
  const email = renderLetterEmail({
    kind: 'notify',
    language: 'nb',
    sender: 'Benchmarkdirektoratet',
    title: 'Vedtak om benchmark',
    webUrl: 'http://127.0.0.1:3000/',
  });
  const start = count();
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < emails) {
        next += 1;
        await sender.send({
          from: 'Postkasse <no-reply@bench.test>',
          to: 'citizen@bench.test',
          ...email,
        });
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  sender.close();
  return { emails: count() - start, seconds, perSecond: emails / seconds };
}

async function seed(url: string, letters: number): Promise<string[]> {
  const db = new Client({ connectionString: url });
  await db.connect();
  await db.query(
    `INSERT INTO agencies (id, name) VALUES (gen_random_uuid(), 'Benchmarkdirektoratet')`,
  );
  await db.query(
    `INSERT INTO mailboxes (id, national_id_hmac, recipient_ref, master_key_version,
        notification_email, email_confirmed, language)
     SELECT gen_random_uuid(), sha256(convert_to('bench' || i, 'UTF8')), 'cmVm' || i, 1, 'citizen' || i || '@bench.test', true, 'nb'
       FROM generate_series(1, 50) AS i`,
  );
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO letters (id, agency_id, mailbox_id, title, state, reminder_after_days, delivered_at)
     SELECT gen_random_uuid(), (SELECT id FROM agencies LIMIT 1),
            (SELECT id FROM mailboxes ORDER BY id OFFSET (i % 50) LIMIT 1),
            'Vedtak om benchmark ' || i, 'delivered', 0, now()
       FROM generate_series(1, $1) AS i
     RETURNING id`,
    [letters],
  );
  await db.end();
  return rows.map((r) => r.id);
}

export async function runNotificationBench(quick: boolean) {
  const emails = quick ? 500 : 2_000;
  const database = `postkasse_bench_notify_${randomBytes(3).toString('hex')}`;
  const url = dbUrl(database);
  const prefix = `pk-bench-notify-${randomBytes(3).toString('hex')}`;
  await admin(`CREATE DATABASE ${database}`);
  const migrator = createDataSource(url, 1);
  await migrator.initialize();
  await migrator.runMigrations({ transaction: 'each' });
  await migrator.destroy();

  const sink = await startSink();
  let worker: ChildProcess | null = null;
  const queue = new Queue('notify', { connection: { url: REDIS_URL }, prefix });
  try {
    process.stdout.write(`Raw nodemailer → smtp-server on loopback (${emails} emails)… `);
    const raw = await rawRate(sink.port, emails, sink.count);
    console.log(`${fmt(raw.perSecond)} emails/s`);

    const letterIds = await seed(url, emails);
    worker = spawn(process.execPath, [join(ROOT, 'dist/apps/worker/src/main.js')], {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_ENV: 'test',
        DATABASE_URL: url,
        REDIS_URL,
        QUEUE_PREFIX: prefix,
        SECRETS_FILE: join(ROOT, '.secrets/bench.json'),
        SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
        SMTP_POOL_SIZE: String(POOL_SIZE),
        WORKER_CONCURRENCY: '16',
        DATABASE_POOL_SIZE: '20',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    await waitUntil(async () => (await queue.getWorkers()).length > 0, 30_000);

    process.stdout.write(`Notifications through the worker (${emails} letters)… `);
    const before = sink.count();
    const t0 = performance.now();
    await queue.addBulk(
      letterIds.map((letterId) => ({
        name: 'notify',
        data: { letterId },
        opts: { jobId: `notify-${letterId}`, removeOnComplete: true },
      })),
    );
    await waitUntil(() => sink.count() - before >= emails, 300_000);
    const seconds = (performance.now() - t0) / 1000;
    const perSecond = emails / seconds;
    console.log(`${fmt(perSecond)} emails/s`);

    const db = new Client({ connectionString: url });
    await db.connect();
    // Receipts are staged in the send's own transaction, so they are all there by now.
    const { rows } = await db.query<{ sent: string; receipts: string }>(
      `SELECT (SELECT count(*) FROM notification_sends WHERE state = 'sent') AS sent,
              (SELECT count(*) FROM receipts WHERE type = 'notified') AS receipts`,
    );
    await db.end();

    const results = {
      at: new Date().toISOString(),
      emails,
      poolSize: POOL_SIZE,
      raw,
      notifications: {
        seconds,
        perSecond,
        sent: Number(rows[0].sent),
        receipts: Number(rows[0].receipts),
        ratioToRaw: perSecond / raw.perSecond,
      },
    };
    console.log(`
| measure | value |
|---|---|
| notification emails through the worker (claim, SMTP, record, receipt) | ${fmt(perSecond)} emails/s (${results.notifications.sent} sent, ${results.notifications.receipts} notified receipts) |
| limit: raw nodemailer pooled (${POOL_SIZE} connections) to the same listener | ${fmt(raw.perSecond)} emails/s |
| notifications / raw | ${fmt(results.notifications.ratioToRaw * 100, 0)} % |
`);
    mkdirSync(join(ROOT, 'var/bench'), { recursive: true });
    writeFileSync(join(ROOT, 'var/bench/notifications.json'), JSON.stringify(results, null, 2));
    console.log('Raw results: var/bench/notifications.json');
    return results;
  } finally {
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    if (worker) {
      worker.kill('SIGTERM');
      await new Promise((r) => worker!.once('exit', r));
    }
    sink.close();
    await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  }
}

if (require.main === module) {
  const { values } = parseArgs({
    options: { quick: { type: 'boolean', default: false } },
    strict: false,
  });
  runNotificationBench(values.quick === true).then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
