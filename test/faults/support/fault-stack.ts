import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { simpleParser, type ParsedMail } from 'mailparser';
import { Queue } from 'bullmq';
import { Client } from 'pg';
import { SMTPServer } from 'smtp-server';
import { makeSyntheticNorwegianId } from '#identity';
import { createAgency, platformPublicKey, sealFor, type TestAgency } from '../../support/agency';
import { ApiClient } from '../../support/http';
import { Stack, freePort, startProcess, type RunningProcess } from '../../support/stack';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A Redis server of the suite's own, so that stopping or flushing it touches nobody else. */
export class OwnRedis {
  private child: ChildProcess | null = null;
  constructor(readonly port: number) {}

  static async start(): Promise<OwnRedis> {
    const redis = new OwnRedis(await freePort());
    await redis.up();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async up(): Promise<void> {
    const child = spawn(
      '/usr/bin/redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    this.child = child;
    for (let i = 0; i < 100; i += 1) {
      if ((await this.cli('PING')).includes('PONG')) return;
      await sleep(50);
    }
    throw new Error('own redis-server did not start');
  }

  /** SIGKILL, by the process id this suite started. */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }

  cli(...args: string[]): Promise<string> {
    return new Promise((resolveOut) => {
      const c = spawn('redis-cli', ['-p', String(this.port), ...args], { stdio: 'pipe' });
      let out = '';
      c.stdout.on('data', (d: Buffer) => (out += d.toString()));
      c.on('error', () => resolveOut(''));
      c.on('exit', () => resolveOut(out));
    });
  }
}

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

type SmtpMode = { kind: 'accept' } | { kind: 'fail'; code: number; times?: number };

/** A real SMTP listener in the test process; it can refuse, and can be taken down and up. */
export class SmtpSink {
  readonly mails: Mail[] = [];
  mode: SmtpMode = { kind: 'accept' };
  readonly attemptsAt: number[] = [];
  private server: SMTPServer | null = null;
  constructor(readonly port: number) {}

  static async start(): Promise<SmtpSink> {
    const sink = new SmtpSink(await freePort());
    await sink.up();
    return sink;
  }

  async up(): Promise<void> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      closeTimeout: 100,
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          void simpleParser(Buffer.concat(chunks)).then((mail: ParsedMail) => {
            const subject = mail.subject ?? '';
            const isLetterMail = !/Confirm|Bekreft|Bekræft/.test(subject);
            if (isLetterMail) this.attemptsAt.push(Date.now());
            const mode = this.mode;
            if (isLetterMail && mode.kind === 'fail' && (mode.times ?? Infinity) > 0) {
              if (mode.times !== undefined) mode.times -= 1;
              return callback(
                Object.assign(new Error(`${mode.code} refused by the test`), {
                  responseCode: mode.code,
                }),
              );
            }
            this.mails.push({
              to: session.envelope.rcptTo[0].address,
              subject,
              text: mail.text ?? '',
            });
            callback();
          });
        });
      },
    });
    // Workers killed with SIGKILL reset their pooled SMTP connections; that is expected here.
    this.server.on('error', () => undefined);
    await new Promise<void>((r) => this.server!.listen(this.port, '127.0.0.1', r));
  }

  async down(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((r) => server.close(() => r()));
  }

  to(address: string): Mail[] {
    return this.mails.filter((m) => m.to === address);
  }
}

let serial = Math.floor(Math.random() * 200);
export function newNationalId(): string {
  serial += 1;
  return makeSyntheticNorwegianId(
    new Date(1940 + (serial % 60), serial % 12, 1 + (serial % 27)),
    100 + (serial % 800),
    'tenor',
  );
}

/** Resident set size of a process, from /proc (kB → MB). */
export function rssMb(pid: number): number {
  return statusMb(pid, 'VmRSS');
}

/**
 * The highest resident set size since the process started or since `resetPeakRss`: unlike
 * sampling it cannot miss a short peak.
 */
export function peakRssMb(pid: number): number {
  return statusMb(pid, 'VmHWM');
}

/** Starts the high-water mark afresh (Linux: `5` to clear_refs, for our own processes). */
export function resetPeakRss(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

function statusMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
    return kb / 1024;
  } catch {
    return 0;
  }
}

export interface Figures {
  [name: string]: number | string;
}

export function report(scenario: string, figures: Figures): void {
  const line = Object.entries(figures)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  // Printed on purpose: the figures are the suite's output (docs/reliability.md).
  process.stdout.write(`\n[fault] ${scenario}: ${line}\n`);
}

/**
 * The real API and worker processes on their own database, their own Redis (when asked) and an
 * SMTP sink; faults are injected only into these processes, by their process ids.
 */
export class FaultStack extends Stack {
  api!: ApiClient;
  agency!: TestAgency;
  platformKey!: string;
  db!: Client;
  redis: OwnRedis | null = null;
  sink: SmtpSink | null = null;
  private sealed: string[] = [];

  async boot(
    options: {
      workers?: number;
      ownRedis?: boolean;
      smtp?: boolean;
      env?: NodeJS.ProcessEnv;
      /** A database elsewhere (a private cluster) instead of a copy of the shared template. */
      databaseUrl?: string;
    } = {},
  ): Promise<this> {
    if (options.ownRedis) this.redis = await OwnRedis.start();
    if (options.smtp !== false) this.sink = await SmtpSink.start();
    await (
      options.databaseUrl ? this.startOn.bind(this, options.databaseUrl) : this.start.bind(this)
    )(
      {
        ...(this.redis ? { REDIS_URL: this.redis.url } : {}),
        ...(this.sink ? { SMTP_URL: `smtp://127.0.0.1:${this.sink.port}` } : {}),
        RELAY_INTERVAL_MS: '250',
        RECONCILE_INTERVAL_MS: '2000',
        RECONCILE_STALE_MS: '3000',
        NOTIFY_BACKOFF_MS: '200',
        ...(process.env.FAULT_LOG_LEVEL ? { LOG_LEVEL: process.env.FAULT_LOG_LEVEL } : {}),
        ...options.env,
      },
      options.workers ?? 1,
    );
    this.api = new ApiClient(this.baseUrl);
    this.platformKey = await platformPublicKey(this);
    this.agency = await createAgency(this, 'Fault agency');
    await this.connectDb();
    return this;
  }

  private async connectDb(): Promise<void> {
    this.db = new Client({ connectionString: this.env.DATABASE_URL });
    this.db.on('error', () => undefined);
    await this.db.connect();
  }

  get databaseName(): string {
    return new URL(this.env.DATABASE_URL!).pathname.slice(1);
  }

  workers(): RunningProcess[] {
    return this.processes.filter(
      (p) => p.name === 'worker' && p.child.exitCode === null && p.child.signalCode === null,
    );
  }

  apiProcess(): RunningProcess {
    return this.processes.filter((p) => p.name === 'api').at(-1)!;
  }

  startWorker(): RunningProcess {
    const worker = startProcess('worker', this.env);
    this.processes.push(worker);
    return worker;
  }

  async restartApi(): Promise<RunningProcess> {
    const api = startProcess('api', this.env);
    this.processes.push(api);
    await this.waitForHealth();
    return api;
  }

  /** A pool of sealed documents, reused across letters (sealing costs more than sending). */
  async document(i: number): Promise<string> {
    while (this.sealed.length < 8)
      this.sealed.push(
        await sealFor(this.agency, this.platformKey, `Fault letter ${this.sealed.length}`),
      );
    return this.sealed[i % this.sealed.length];
  }

  async letterBody(nationalId: string, title: string, i = 0) {
    return {
      recipient: { nationalId },
      title,
      senderReference: title,
      documents: [
        { filename: 'brev.txt', mediaType: 'text/plain', content: await this.document(i) },
      ],
    };
  }

  submit(body: unknown, key: string = randomUUID()) {
    return this.api.as(this.agency.apiKey).post('/v1/letters', body, { 'idempotency-key': key });
  }

  async citizenToken(nationalId: string): Promise<string> {
    return this.cli(['dev', 'token', '--citizen', nationalId]);
  }

  /** A citizen with a confirmed notification address, through the API and the emailed link. */
  async confirmedCitizen(email: string): Promise<string> {
    const nationalId = newNationalId();
    const me = this.api.as(await this.citizenToken(nationalId));
    const put = await me.request('PUT', '/v1/mailbox/settings', { notificationEmail: email });
    if (put.status !== 200) throw new Error(`settings: ${put.status} ${JSON.stringify(put.body)}`);
    const mail = await this.api.waitFor(
      async () => this.sink!.to(email).find((m) => /Confirm|Bekreft|Bekræft/.test(m.subject)),
      `confirmation mail to ${email}`,
      30_000,
    );
    const token = /email-confirmation\?token=([A-Za-z0-9_-]+)/.exec(mail.text)?.[1];
    const done = await this.api.post('/v1/email-confirmation', { token });
    if (done.status !== 200) throw new Error(`confirm: ${done.status}`);
    return nationalId;
  }

  /** Kills this test database's connections only (never anyone else's). */
  async killDatabaseConnections(): Promise<number> {
    const admin = new Client({ connectionString: this.env.DATABASE_URL });
    await admin.connect();
    try {
      const r = await admin.query<{ n: string }>(
        `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) AS n FROM pg_stat_activity
          WHERE datname = $1 AND pid <> pg_backend_pid()`,
        [this.databaseName],
      );
      return Number(r.rows[0].n);
    } finally {
      await admin.end().catch(() => undefined);
    }
  }

  async query<T extends Record<string, unknown>>(sql: string, params: unknown[] = []) {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return (await this.db.query<T>(sql, params)).rows;
      } catch (error) {
        if (attempt > 5) throw error;
        await this.db.end().catch(() => undefined);
        await this.connectDb().catch(() => undefined);
        await sleep(200);
      }
    }
  }

  /** What the database says about letters whose sender reference starts with `prefix`. */
  async ledger(prefix: string) {
    const [row] = await this.query<{
      letters: string;
      distinct_refs: string;
      delivered: string;
      accepted: string;
      rejected: string;
      missing_accepted_receipt: string;
      missing_delivered_receipt: string;
      missing_outbox: string;
      duplicate_receipts: string;
      unsequenced: string;
    }>(
      `SELECT count(*) AS letters,
              count(DISTINCT l.sender_reference) AS distinct_refs,
              count(*) FILTER (WHERE l.state IN ('delivered','read','acknowledged')) AS delivered,
              count(*) FILTER (WHERE l.state = 'accepted') AS accepted,
              count(*) FILTER (WHERE l.state = 'rejected') AS rejected,
              count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM receipts r
                 WHERE r.letter_id = l.id AND r.type = 'accepted')) AS missing_accepted_receipt,
              count(*) FILTER (WHERE l.state = 'delivered' AND NOT EXISTS (SELECT 1 FROM receipts r
                 WHERE r.letter_id = l.id AND r.type = 'delivered')) AS missing_delivered_receipt,
              count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM outbox o
                 WHERE o.subject_id = l.id AND o.queue IN ('deliver', 'deliver-bulk'))) AS missing_outbox,
              (SELECT count(*) FROM (SELECT 1 FROM receipts r JOIN letters x ON x.id = r.letter_id
                 WHERE x.sender_reference LIKE $1 GROUP BY r.letter_id, r.type, r.kind
                 HAVING count(*) > 1) d) AS duplicate_receipts,
              (SELECT count(*) FROM receipts r JOIN letters x ON x.id = r.letter_id
                 WHERE x.sender_reference LIKE $1 AND r.log_index IS NULL) AS unsequenced
         FROM letters l WHERE l.sender_reference LIKE $1`,
      [`${prefix}%`],
    );
    const n = (k: keyof typeof row) => Number(row[k]);
    return {
      letters: n('letters'),
      distinctRefs: n('distinct_refs'),
      delivered: n('delivered'),
      accepted: n('accepted'),
      rejected: n('rejected'),
      missingAcceptedReceipt: n('missing_accepted_receipt'),
      missingDeliveredReceipt: n('missing_delivered_receipt'),
      missingOutbox: n('missing_outbox'),
      duplicateReceipts: n('duplicate_receipts'),
      unsequenced: n('unsequenced'),
    };
  }

  /** Waits until every letter with the prefix left `accepted` (or the time is up). */
  async waitUntilSettled(prefix: string, timeoutMs: number): Promise<number> {
    const started = Date.now();
    for (;;) {
      const l = await this.ledger(prefix);
      if (l.accepted === 0 && l.unsequenced === 0) return Date.now() - started;
      if (Date.now() - started > timeoutMs) return -1;
      await sleep(500);
    }
  }

  /** BullMQ's counts for one queue of this stack (for diagnosis). */
  async queueCounts(name: string): Promise<Record<string, number>> {
    const queue = new Queue(name, {
      connection: { url: this.env.REDIS_URL, maxRetriesPerRequest: 1, enableOfflineQueue: false },
      prefix: this.env.QUEUE_PREFIX,
    });
    try {
      await queue.waitUntilReady();
      return await queue.getJobCounts();
    } catch {
      return {};
    } finally {
      await queue.close().catch(() => undefined);
    }
  }

  async shutdown(): Promise<void> {
    await this.db?.end().catch(() => undefined);
    await this.stop();
    await this.redis?.kill();
    await this.sink?.down();
  }
}

/** Runs `fn` over `count` items with at most `concurrency` in flight. */
export async function inParallel(
  count: number,
  concurrency: number,
  fn: (i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const i = next;
        next += 1;
        await fn(i);
      }
    }),
  );
}

/** Counts emails per letter title (titles are unique per letter in the scenarios). */
export function emailsPerTitle(mails: Mail[], pattern: RegExp): Map<string, number> {
  const counts = new Map<string, number>();
  for (const mail of mails) {
    const title = pattern.exec(mail.text)?.[0];
    if (title) counts.set(title, (counts.get(title) ?? 0) + 1);
  }
  return counts;
}
