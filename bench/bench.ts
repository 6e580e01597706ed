/**
 * `npm run bench [-- --quick] [-- --workers N] [-- --record] [-- --production-settings]`
 *
 * Starts the API and worker processes as in production against a fresh database and an SMTP
 * listener in this process, and measures, for a realistic mix (20 KB main document, one letter in
 * ten with a 200 KB attachment, 70 % Curve25519 and 30 % RSA-3072 agency keys, notification
 * email on): submit latency at saturation and at fixed offered rates, end-to-end letters per
 * second to `delivered` and to `notified`, submit → delivered latency, inbox list and document
 * download latency with a large database, and CPU and memory of each process. In the same run
 * it measures the machine's limits for the same work and prints each figure as a ratio.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as openpgp from 'openpgp';
import { SMTPServer } from 'smtp-server';
import { loadConfig } from '#config';
import { encryptAndSignForPlatform, type AgencySigningKey } from '#crypto';
import { createDataSource } from '#database';
import { makeSyntheticNorwegianId } from '#identity';
import { Postkasse } from '#composition';
import { chart } from './chart';
import { dbUrl, sql } from './db';
import { cpuOfProcessesNamed, ownCpuSeconds, usage } from './process-usage';
import { clientCpuSeconds, createAgency, output, runClient } from './processes';
import { describeSettings, serverSettings } from './server-settings';
import { rerunWithOwnServers } from './own-servers';
import type { SubmitClientArgs } from './submit-client';
import { Submitter } from './submitter';
import {
  describeLimits,
  machineLimits,
  meanLimits,
  type MachineLimits,
  type OpenPgpLetter,
} from './limits';
import type { GcEntry } from './gc-kinds';
import { SAMPLER_FLAGS, gcSummary, samplerSpans, tailCauses } from './gc-spans';
import { measureListInProcess, measureReads, seedScale } from './read-path';
import { fmt, summarize } from './stats';

const ROOT = resolve(__dirname, '../..');
const { values: args } = parseArgs({
  options: {
    'production-settings': { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
    record: { type: 'boolean', default: false },
    workers: { type: 'string', default: '1' },
    letters: { type: 'string' },
    concurrency: { type: 'string', default: '24' },
    scale: { type: 'string' },
    soak: { type: 'string', default: '0' },
    profile: { type: 'boolean', default: false },
  },
});
const QUICK = args.quick;
const WORKERS = Number(args.workers);
const SATURATION_LETTERS = Number(args.letters ?? (QUICK ? 300 : 1500));
const CONCURRENCY = Number(args.concurrency);
const STEP_SECONDS = QUICK ? 5 : 12;
const STEPS = QUICK ? [0.25, 0.5, 1] : [0.25, 0.5, 0.75, 1, 1.25];
const SCALE_LETTERS = Number(args.scale ?? (QUICK ? 100_000 : 1_000_000));
const MAILBOX_LETTERS = QUICK ? 2_000 : 10_000;
const SOAK_MINUTES = Number(args.soak);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let stopping = false;

/** With --profile the API and workers write V8 CPU profiles to var/bench/profiles. */
const PROFILE = args.profile
  ? ['--cpu-prof', `--cpu-prof-dir=${join(ROOT, 'var/bench/profiles')}`]
  : [];

function run(app: string, env: NodeJS.ProcessEnv, argv: string[] = []): ChildProcess {
  // The API carries the sampler that records its collections while the reads are timed.
  const flags = app === 'cli' ? [] : [...PROFILE, ...(app === 'api' ? SAMPLER_FLAGS : [])];
  // Only the CLI's output is read; a pipe nobody reads would stall a process once it filled.
  const child = spawn(
    process.execPath,
    [...flags, join(ROOT, `dist/apps/${app}/src/main.js`), ...argv],
    { cwd: ROOT, env, stdio: ['ignore', app === 'cli' ? 'pipe' : 'ignore', 'inherit'] },
  );
  if (app !== 'cli') {
    child.on('exit', (code, signal) => {
      if (!stopping) console.error(`\n${app} exited early (code ${code}, signal ${signal})`);
    });
  }
  return child;
}

/** CPU seconds so far of each part of the pipeline, and of this load generator. */
function cpuSnapshot(children: { name: string; child: ChildProcess }[]) {
  const parts = children.map((c) => {
    const u = usage(c.child.pid!);
    return { name: c.name, cpu: u.cpu, mainThreadCpu: u.mainThreadCpu };
  });
  return {
    parts: [
      ...parts,
      { name: 'PostgreSQL', cpu: cpuOfProcessesNamed('postgres'), mainThreadCpu: null },
      { name: 'Redis', cpu: cpuOfProcessesNamed('redis-server'), mainThreadCpu: null },
    ],
    loadGenerator: process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6,
  };
}

/** Milliseconds of CPU per letter of each part between two snapshots. */
function cpuBudget(
  before: ReturnType<typeof cpuSnapshot>,
  after: ReturnType<typeof cpuSnapshot>,
  letters: number,
) {
  const parts = after.parts.map((p, i) => ({
    name: p.name,
    msPerLetter: ((p.cpu - before.parts[i].cpu) * 1000) / letters,
    mainThreadMsPerLetter:
      p.mainThreadCpu === null
        ? null
        : ((p.mainThreadCpu - before.parts[i].mainThreadCpu!) * 1000) / letters,
  }));
  const total = parts.reduce((sum, p) => sum + p.msPerLetter, 0);
  return {
    parts,
    totalMsPerLetter: total,
    loadGeneratorMsPerLetter: ((after.loadGenerator - before.loadGenerator) * 1000) / letters,
    /** What the machine's cores could deliver if Postkasse had them all and nothing waited. */
    cpuBoundPerSecond: (availableParallelism() * 1000) / total,
  };
}

class ProcessMonitor {
  readonly samples = new Map<string, { t: number; cpu: number; rssMb: number }[]>();
  private timer: NodeJS.Timeout | null = null;
  constructor(private readonly processes: { name: string; pid: number }[]) {}
  start(everyMs = 2_000) {
    const sample = () => {
      for (const p of this.processes) {
        const list = this.samples.get(p.name) ?? [];
        list.push({ t: Date.now(), ...usage(p.pid) });
        this.samples.set(p.name, list);
      }
    };
    sample();
    this.timer = setInterval(sample, everyMs);
  }
  stop() {
    if (this.timer) clearInterval(this.timer);
  }
  summary() {
    return [...this.samples.entries()].map(([name, s]) => ({
      name,
      cpuSeconds: s[s.length - 1].cpu - s[0].cpu,
      rssMaxMb: Math.max(...s.map((x) => x.rssMb)),
      rssFirstMb: s[1]?.rssMb ?? s[0].rssMb,
      rssLastMb: s[s.length - 1].rssMb,
    }));
  }
}

async function makeAgency(env: NodeJS.ProcessEnv, name: string, type: 'ecc' | 'rsa') {
  const agency = await createAgency(env, name, type);
  const publicKey = await openpgp.readKey({ armoredKey: agency.publicKey });
  const signingKey: AgencySigningKey = {
    fingerprint: publicKey.getFingerprint(),
    publicKeyArmored: agency.publicKey,
    addedAt: new Date(0),
    revokedAt: null,
  };
  return { apiKey: agency.apiKey, privateKey: agency.privateKey, signingKey };
}

type OfferedResult = Awaited<ReturnType<Submitter['offered']>> & {
  errors: number;
  problem: string | null;
  own: GcEntry[];
};

interface PreparedLetter {
  apiKey: string;
  documents: { filename: string; mediaType: string; content: string }[];
  binaries: Uint8Array[];
  signingKey: AgencySigningKey;
}

async function prepareLetters(
  platformPublic: string,
  agencies: Awaited<ReturnType<typeof makeAgency>>[],
  count: number,
): Promise<PreparedLetter[]> {
  const letters: PreparedLetter[] = [];
  for (let i = 0; i < count; i += 1) {
    const agency = i % 10 < 7 ? agencies[0] : agencies[1];
    const sizes = i % 10 === 4 ? [20 * 1024, 200 * 1024] : [20 * 1024];
    const documents = [];
    const binaries = [];
    for (const [k, size] of sizes.entries()) {
      const content = await encryptAndSignForPlatform(
        randomBytes(size),
        { platformPublicKey: platformPublic, signingPrivateKey: agency.privateKey },
        { armor: false },
      );
      documents.push({
        filename: k === 0 ? 'letter.pdf' : 'attachment.pdf',
        mediaType: 'application/pdf',
        content,
      });
      binaries.push(Buffer.from(content, 'base64'));
    }
    letters.push({ apiKey: agency.apiKey, documents, binaries, signingKey: agency.signingKey });
  }
  return letters;
}

async function counts(db: string) {
  const [row] = await sql<{ accepted: string; delivered: string; notified: string }>(
    db,
    `SELECT count(*) AS accepted,
            count(*) FILTER (WHERE delivered_at IS NOT NULL) AS delivered,
            (SELECT count(*) FROM receipts WHERE type = 'notified') AS notified
       FROM letters`,
  );
  return {
    accepted: Number(row.accepted),
    delivered: Number(row.delivered),
    notified: Number(row.notified),
  };
}

async function waitDrained(db: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const c = await counts(db);
    if ((c.delivered >= c.accepted && c.notified >= c.delivered) || Date.now() > deadline) return c;
    await sleep(200);
  }
}

const LIST_QUIET_WAIT_MS = QUICK ? 10_000 : 60_000;
const TIMED_READS = QUICK ? 200 : 500;

async function main(): Promise<void> {
  if (args['production-settings']) return rerunWithOwnServers(__filename, '--production-settings');
  const database = `postkasse_bench_${randomBytes(3).toString('hex')}`;
  const db = dbUrl(database);
  const smtpPort = 2500 + Math.floor(Math.random() * 400);
  const port = 3900 + Math.floor(Math.random() * 90);
  let emails = 0;
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _s, cb) {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        emails += 1;
        cb();
      });
    },
  });
  await new Promise<void>((r) => smtp.listen(smtpPort, '127.0.0.1', r));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'test',
    PORT: String(port),
    DATABASE_URL: db,
    REDIS_URL,
    SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
    QUEUE_PREFIX: `pk-bench-${randomBytes(3).toString('hex')}`,
    SECRETS_FILE: join(ROOT, '.secrets/bench.json'),
    PRINT_SPOOL_DIR: join(tmpdir(), 'postkasse-bench-print'),
    LOG_LEVEL: 'warn',
    // The benchmark measures what the platform carries, not the per-caller limits.
    RATE_LIMIT_AGENCY_REQUESTS: '0',
    RATE_LIMIT_CITIZEN_REQUESTS: '0',
    RATE_LIMIT_ANONYMOUS_REQUESTS: '0',
    // Workers of one run would share a fixed metrics port; the benchmark does not scrape them.
    WORKER_METRICS_PORT: '0',
    DATABASE_POOL_SIZE: '20',
    WORKER_CONCURRENCY: '16',
    ALLOC_PROFILE_FILE: join(ROOT, 'var/bench/api-reads'),
  };
  mkdirSync(join(ROOT, 'var/bench'), { recursive: true });
  const api = `http://127.0.0.1:${port}`;
  console.log(
    `Postkasse benchmark${QUICK ? ' (quick)' : ''}: ${WORKERS} worker process(es), ${CONCURRENCY} clients at saturation`,
  );
  console.log(
    `Machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} cores, Node ${process.version}`,
  );
  console.log(
    'Mix: 20 KB main document; 1 in 10 letters with a 200 KB attachment; 70 % Curve25519, 30 % RSA-3072 agency keys; notification email on\n',
  );

  await output(run('cli', env, ['db', 'migrate']));
  const settings = await serverSettings(db, REDIS_URL);
  console.log(describeSettings(settings));
  const config = await loadConfig({ NODE_ENV: 'test', SECRETS_FILE: env.SECRETS_FILE });
  const platformPublic = (await openpgp.readPrivateKey({ armoredKey: config.platformOpenPgpKey }))
    .toPublic()
    .armor();
  const agencies = [
    await makeAgency(env, 'Bench Curve25519', 'ecc'),
    await makeAgency(env, 'Bench RSA-3072', 'rsa'),
  ];
  const letters = await prepareLetters(platformPublic, agencies, QUICK ? 60 : 150);

  const openpgpLetters: OpenPgpLetter[] = letters.map((l) => ({
    documents: l.binaries,
    agencyKey: l.signingKey,
  }));
  // Measured again once the run is over: a machine shared with other work changes meanwhile.
  const measureLimits = (): Promise<MachineLimits> =>
    machineLimits(
      config.platformOpenPgpKey,
      config.openpgpLimits,
      openpgpLetters,
      { db, redis: REDIS_URL },
      QUICK,
    );
  process.stdout.write('Limits before the run: ');
  const limitsBefore = await measureLimits();

  // Recipients with a confirmed address, so every delivery sends one email.
  const recipients = Array.from({ length: 200 }, (_, i) =>
    makeSyntheticNorwegianId(new Date(1950 + (i % 50), i % 12, 1 + (i % 28)), 200 + i, 'tenor'),
  );
  {
    const ds = await createDataSource(db, 2).initialize();
    const directory = new Postkasse(config, { db: ds }).mailboxes;
    for (const id of recipients) {
      const mailbox = await directory.findOrCreate(ds.manager, id);
      await ds.query(
        `UPDATE mailboxes SET notification_email = $2, email_confirmed = true WHERE id = $1`,
        [mailbox.id, `citizen${mailbox.id.slice(-6)}@example.test`],
      );
    }
    await ds.destroy();
  }

  const children = [
    { name: 'api', child: run('api', env) },
    ...Array.from({ length: WORKERS }, (_, i) => ({
      name: `worker-${i + 1}`,
      child: run('worker', env),
    })),
  ];
  for (let i = 0; i < 150; i += 1) {
    if (
      await fetch(`${api}/health/ready`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    await sleep(200);
  }
  // Interrupted, the benchmark takes its API and workers with it.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      children.forEach((c) => c.child.kill('SIGTERM'));
      process.exit(130);
    });
  }
  const monitor = new ProcessMonitor(children.map((c) => ({ name: c.name, pid: c.child.pid! })));
  monitor.start();
  const submitter = new Submitter(api, letters, recipients);
  let offeredErrors = 0;
  let offeredProblem: string | null = null;
  const span = samplerSpans(children[0].child, env.ALLOC_PROFILE_FILE!);
  /** Letters offered at `rate` by a client process of their own (submit-client.ts). */
  const offered = async (rate: number, seconds: number) => {
    const r = await runClient<OfferedResult>('submit-client', {
      api,
      letters: letters.map(({ apiKey, documents }) => ({ apiKey, documents })),
      recipients,
      rate,
      seconds,
      apiPid: children[0].child.pid,
    } satisfies SubmitClientArgs);
    offeredErrors += r.errors;
    offeredProblem ??= r.problem;
    return r;
  };

  // Saturation: how fast can letters be submitted, and how fast do they come out the other end?
  const base = await counts(db);
  // The SMTP listener counts from the start of the run; the saturation phase is what is compared.
  const emailsBefore = emails;
  const cpuBefore = cpuSnapshot(children);
  const satStart = Date.now();
  const sat = await submitter.saturate(SATURATION_LETTERS, CONCURRENCY);
  const drained = await waitDrained(db, 600_000);
  const satE2eSeconds = (Date.now() - satStart) / 1000;
  const delivered = drained.delivered - base.delivered;
  const budget = cpuBudget(cpuBefore, cpuSnapshot(children), delivered);
  const notified = drained.notified - base.notified;
  const emailsInPhase = emails - emailsBefore;
  const [e2e] = await sql<{ p50: number; p99: number }>(
    db,
    `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS p50, percentile_cont(0.99) WITHIN GROUP (ORDER BY ms) AS p99
       FROM (SELECT extract(epoch FROM delivered_at - created_at) * 1000 AS ms FROM letters WHERE delivered_at IS NOT NULL) t`,
  );
  const saturationRate = SATURATION_LETTERS / sat.seconds;
  const deliveredRate = delivered / satE2eSeconds;
  const notifiedRate = notified / satE2eSeconds;

  // Offered load steps, relative to the end-to-end rate just measured.
  const steps = [];
  for (const factor of STEPS) {
    const rate = Math.max(1, deliveredRate * factor);
    const before = await counts(db);
    const t0 = Date.now();
    const { result: r, gcs } = await span(() => offered(rate, STEP_SECONDS));
    const after = await waitDrained(db, 300_000);
    const s = summarize(r.latencies);
    steps.push({
      factor,
      offered: rate,
      achievedSubmit: r.latencies.length / r.seconds,
      delivered: (after.delivered - before.delivered) / ((Date.now() - t0) / 1000),
      ...s,
      collections: tailCauses(r.spans, gcs, r.own),
    });
  }

  let soak: { minutes: number; rss: { name: string; firstMb: number; lastMb: number }[] } | null =
    null;
  if (SOAK_MINUTES > 0) {
    const soakStart = new Map(monitor.summary().map((p) => [p.name, p.rssLastMb]));
    await offered(deliveredRate * 0.5, SOAK_MINUTES * 60);
    await waitDrained(db, 300_000);
    soak = {
      minutes: SOAK_MINUTES,
      rss: monitor
        .summary()
        .map((p) => ({ name: p.name, firstMb: soakStart.get(p.name) ?? 0, lastMb: p.rssLastMb })),
    };
  }

  process.stdout.write(
    `Seeding ${SCALE_LETTERS.toLocaleString('en')} letters (a mailbox of ${MAILBOX_LETTERS.toLocaleString('en')})… `,
  );
  const scale = await seedScale(config, database, 'Bench Curve25519', {
    mailbox: MAILBOX_LETTERS,
    total: SCALE_LETTERS,
  });
  console.log(`${scale.total.toLocaleString('en')} letters in ${fmt(scale.seedSeconds, 0)} s`);
  const token = await output(run('cli', env, ['dev', 'token', '--citizen', scale.owner]));
  const readArgs = {
    api,
    token,
    docIds: scale.docIds,
    timed: TIMED_READS,
    apiPid: children[0].child.pid,
  };
  const readsSpan = await span(() => measureReads(readArgs));
  const listInProcess = await measureListInProcess(
    config,
    database,
    scale.owner,
    TIMED_READS,
    LIST_QUIET_WAIT_MS,
  );
  const quietSpan = await span(() => measureReads(readArgs));
  // The figures without the per-request spans, which only the collector attribution needs.
  const figures = ({ spans: _, ...summary }: { spans: unknown } & ReturnType<typeof summarize>) =>
    summary;
  const reads = {
    list: figures(readsSpan.result.list),
    download: figures(readsSpan.result.download),
  };
  const readsQuiet = {
    list: figures(quietSpan.result.list),
    download: figures(quietSpan.result.download),
  };

  monitor.stop();
  const processes = monitor.summary();
  stopping = true;
  children.forEach((c) => c.child.kill('SIGTERM'));
  await Promise.all(children.map((c) => new Promise((r) => c.child.once('exit', r))));
  smtp.close();
  process.stdout.write('Limits after the run: ');
  const limitsAfter = await measureLimits();
  const limits = meanLimits(limitsBefore, limitsAfter);
  const { openpgp: pgp, postgresInsert: pgInsert, bullmq: bull } = limits;
  await sql(dbUrl('postgres'), `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  const harness = { ownCpuSeconds: ownCpuSeconds(), clientCpuSeconds: clientCpuSeconds() };

  const submit = summarize(sat.latencies);
  const half = steps.find((s) => s.factor === 0.5);
  const lines = [
    `| measure | value | bound by | ratio |`,
    `|---|---|---|---|`,
    `| submit at saturation (${CONCURRENCY} clients) | ${fmt(saturationRate)} letters/s, p50 / p95 / p99 ${fmt(submit.p50)} / ${fmt(submit.p95)} / ${fmt(submit.p99)} ms | PostgreSQL insert ${fmt(pgInsert.perSecond, 0)} rows/s | ${fmt((saturationRate / pgInsert.perSecond) * 100, 0)} % |`,
    `| submit at half of the end-to-end rate (${fmt(half?.offered ?? 0)} /s offered) | p50 / p95 / p99 ${fmt(half?.p50 ?? NaN)} / ${fmt(half?.p95 ?? NaN)} / ${fmt(half?.p99 ?? NaN)} ms | | |`,
    `| delivered end to end | ${fmt(deliveredRate)} letters/s (${delivered} in ${fmt(satE2eSeconds)} s) | openpgp decrypt + verify, ${pgp.threads} threads: ${fmt(pgp.perSecond)} letters/s | ${fmt((deliveredRate / pgp.perSecond) * 100, 0)} % |`,
    `| notified end to end | ${fmt(notifiedRate)} letters/s (${notified} notified receipts, ${emailsInPhase} emails received by SMTP in the phase, ${emails} in the whole run) | | |`,
    `| submit → delivered | p50 ${fmt(e2e.p50, 0)} ms, p99 ${fmt(e2e.p99, 0)} ms | | |`,
    `| job queue | | BullMQ no-op jobs, one process: ${fmt(bull.perSecond, 0)} jobs/s | ${fmt((deliveredRate / bull.perSecond) * 100, 1)} % |`,
    `| inbox list, ${scale.total.toLocaleString('en')} letters in the database, mailbox of ${MAILBOX_LETTERS.toLocaleString('en')} | p50 ${fmt(reads.list.p50)} ms, p99 ${fmt(reads.list.p99)} ms | | |`,
    `| inbox list, the use case in process (no HTTP, no token check) | p50 ${fmt(listInProcess.list.p50)} ms, p99 ${fmt(listInProcess.list.p99)} ms; ${LIST_QUIET_WAIT_MS / 1000} s later p50 ${fmt(listInProcess.listQuiet.p50)} ms, p99 ${fmt(listInProcess.listQuiet.p99)} ms | | |`,
    `| document download (2 KB, decrypt from rest) | p50 ${fmt(reads.download.p50)} ms, p99 ${fmt(reads.download.p99)} ms | | |`,
    `| the same two, once the database is quiet (after the in-process list) | list p50 ${fmt(readsQuiet.list.p50)} ms, p99 ${fmt(readsQuiet.list.p99)} ms; download p50 ${fmt(readsQuiet.download.p50)} ms, p99 ${fmt(readsQuiet.download.p99)} ms | | |`,
    ...processes.map(
      (p) =>
        `| ${p.name}: CPU, RSS (max; first → last) | ${fmt(p.cpuSeconds)} s, ${fmt(p.rssMaxMb, 0)} MB (${fmt(p.rssFirstMb, 0)} → ${fmt(p.rssLastMb, 0)}) | | |`,
    ),
  ];
  console.log(`\n${describeSettings(settings)}\n${describeLimits(limitsBefore, limitsAfter)}`);
  console.log('(ratios below are to the mean of the two)');
  console.log(`\n${lines.join('\n')}\n`);
  console.log(
    `CPU per letter, submit to notified (saturation phase):\n\n| part | ms per letter | of which main thread |\n|---|---|---|`,
  );
  for (const p of budget.parts)
    console.log(
      `| ${p.name} | ${fmt(p.msPerLetter)} | ${p.mainThreadMsPerLetter === null ? '' : fmt(p.mainThreadMsPerLetter)} |`,
    );
  console.log(
    `| all of Postkasse | ${fmt(budget.totalMsPerLetter)} | |\n| load generator and SMTP listener (this process) | ${fmt(budget.loadGeneratorMsPerLetter)} | |\n\n` +
      `${availableParallelism()} cores at that cost: at most ${fmt(budget.cpuBoundPerSecond)} letters/s; delivered ${fmt(deliveredRate)} = ${fmt((deliveredRate / budget.cpuBoundPerSecond) * 100, 0)} % of it.\n`,
  );
  console.log(
    `The harness's own CPU over the whole run, counted in none of the above: this process (load generator, SMTP listener, limits, seeding) ${fmt(harness.ownCpuSeconds)} s, its client processes ${fmt(harness.clientCpuSeconds)} s.\n`,
  );
  console.log(
    'Offered load steps:\n\n| offered /s | submitted /s | delivered /s | submit p50 / p95 / p99 ms |\n|---|---|---|---|',
  );
  for (const s of steps)
    console.log(
      `| ${fmt(s.offered)} | ${fmt(s.achievedSubmit)} | ${fmt(s.delivered)} | ${fmt(s.p50)} / ${fmt(s.p95)} / ${fmt(s.p99)} |`,
    );
  console.log('\nWhat the slowest submissions met, by offered rate:');
  for (const s of steps) console.log(`  ${fmt(s.offered)} /s: ${s.collections}`);
  for (const [pass, r] of [
    ['reads', readsSpan],
    ['reads once quiet', quietSpan],
  ] as const) {
    console.log(`\nAPI garbage collection during the ${pass}: ${gcSummary(r.gcs)}`);
    console.log(`  list: ${tailCauses(r.result.list.spans, r.gcs, r.result.own)}`);
    console.log(`  download: ${tailCauses(r.result.download.spans, r.gcs, r.result.own)}`);
  }
  console.log(`\nThe list query's plan, first page:\n\n${listInProcess.plan.join('\n')}`);
  if (soak)
    console.log(
      `\nSoak ${soak.minutes} min at half load, RSS first → last: ${soak.rss.map((r) => `${r.name} ${fmt(r.firstMb, 0)} → ${fmt(r.lastMb, 0)} MB`).join(', ')}`,
    );

  const results = {
    at: new Date().toISOString(),
    quick: QUICK,
    workers: WORKERS,
    settings,
    limits,
    limitsBefore,
    limitsAfter,
    harness,
    saturation: { rate: saturationRate, ...submit, errors: submitter.errors },
    offeredErrors,
    delivered: { perSecond: deliveredRate, ratio: deliveredRate / pgp.perSecond },
    cpuBudget: budget,
    notified: { perSecond: notifiedRate, emails: emailsInPhase, emailsInRun: emails },
    submitToDeliveredMs: e2e,
    steps,
    reads,
    listInProcess,
    readsQuiet,
    scale: { letters: scale.total, mailbox: MAILBOX_LETTERS },
    processes,
    soak,
  };
  const outDir = join(ROOT, 'var/bench');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, `results-${WORKERS}w.json`), JSON.stringify(results, null, 2));
  const svg = chart(
    [
      {
        name: 'submitted /s',
        color: '#1f77b4',
        points: steps.map((s) => [s.offered, s.achievedSubmit]),
      },
      {
        name: 'delivered /s',
        color: '#2ca02c',
        points: steps.map((s) => [s.offered, s.delivered]),
      },
    ],
    [
      { name: 'p50', color: '#1f77b4', points: steps.map((s) => [s.offered, s.p50]) },
      { name: 'p99', color: '#d62728', points: steps.map((s) => [s.offered, s.p99]) },
    ],
    'offered letters/s',
  );
  writeFileSync(join(outDir, 'chart.svg'), svg);
  if (args.record) {
    copyFileSync(join(outDir, 'chart.svg'), join(ROOT, 'docs/benchmark-chart.svg'));
    copyFileSync(
      join(outDir, `results-${WORKERS}w.json`),
      join(ROOT, `docs/benchmark-results-${WORKERS}w.json`),
    );
  }
  console.log(`\nRaw results and chart: var/bench/${args.record ? ' (and docs/)' : ''}`);
  // A run that timed error answers measured nothing: it fails, saying what was answered.
  const problems = [
    submitter.status.problem(),
    offeredProblem && `offered load: ${offeredProblem}`,
  ];
  for (const problem of problems) if (problem) console.error(`\nFAILED: ${problem}`);
  // Pools and sockets of the libraries used above would keep the process alive.
  process.exit(problems.some(Boolean) ? 1 : 0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
