/**
 * `npm run bench [-- --quick] [-- --workers N] [-- --letters N]`
 *
 * Starts the API and worker as in production against a fresh database, measures in the same run
 * the machine's own limit for the work that bounds delivery (OpenPGP decrypt-and-verify on all
 * cores, with the worker's own thread pool), then submits letters concurrently and reports submit
 * latency and end-to-end delivered throughput as a ratio to that limit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as openpgp from 'openpgp';
import { Client } from 'pg';
import { loadConfig } from '#config';
import { encryptAndSignForPlatform, type AgencySigningKey } from '#crypto';
import { makeSyntheticNorwegianId } from '#identity';
import { DocumentOpenerPool } from '../apps/worker/src/openpgp/document-opener-pool';
import { fmt, summarize } from './stats';

const ROOT = resolve(__dirname, '../..');
const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    workers: { type: 'string', default: '1' },
    letters: { type: 'string' },
    concurrency: { type: 'string', default: '16' },
  },
});
const LETTERS = Number(args.letters ?? (args.quick ? 600 : 3000));
const WORKERS = Number(args.workers);
const CONCURRENCY = Number(args.concurrency);
const DOC_BYTES = 20 * 1024;
const SERVER =
  process.env.DATABASE_URL ?? 'postgresql://postkasse:postkasse@127.0.0.1:5432/postkasse';

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

function run(app: string, env: NodeJS.ProcessEnv, argv: string[] = []): ChildProcess {
  return spawn(process.execPath, [join(ROOT, `dist/apps/${app}/src/main.js`), ...argv], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

function output(child: ChildProcess): Promise<string> {
  return new Promise((res, rej) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    child.on('exit', (code) => (code === 0 ? res(out.trim()) : rej(new Error(`exit ${code}`))));
  });
}

/** The limit: decrypt + verify of the same documents on every core, with the worker's own pool. */
async function measureOpenPgpLimit(
  platformKey: string,
  agencyKey: AgencySigningKey,
  messages: Uint8Array[],
  seconds: number,
) {
  const config = await loadConfig({
    NODE_ENV: 'test',
    SECRETS_FILE: join(ROOT, '.secrets/bench.json'),
  });
  const threads = availableParallelism();
  const pool = new DocumentOpenerPool(platformKey, config.openpgpLimits, 60_000, threads);
  const deadline = Date.now() + seconds * 1000;
  let done = 0;
  let i = 0;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: threads * 2 }, async () => {
      while (Date.now() < deadline) {
        await pool.open(messages[i++ % messages.length], [agencyKey], new Date());
        done += 1;
      }
    }),
  );
  const elapsed = (Date.now() - started) / 1000;
  await pool.close();
  return { opsPerSecond: done / elapsed, threads };
}

interface Usage {
  cpuSeconds: number;
  rssMb: number;
}

function usageOf(pid: number): Usage | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    const ticks = Number(stat[11]) + Number(stat[12]);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
    return { cpuSeconds: ticks / 100, rssMb: rss };
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  const database = `postkasse_bench_${randomBytes(3).toString('hex')}`;
  const port = 3900 + Math.floor(Math.random() * 90);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'test',
    PORT: String(port),
    DATABASE_URL: dbUrl(database),
    QUEUE_PREFIX: `pk-bench-${randomBytes(3).toString('hex')}`,
    SECRETS_FILE: join(ROOT, '.secrets/bench.json'),
    PRINT_SPOOL_DIR: join(tmpdir(), 'postkasse-bench-print'),
    LOG_LEVEL: 'warn',
    DATABASE_POOL_SIZE: '20',
    WORKER_CONCURRENCY: '16',
  };
  const api = `http://127.0.0.1:${port}`;
  console.log(
    `Postkasse benchmark: ${LETTERS} letters of ${DOC_BYTES / 1024} KB, ${CONCURRENCY} concurrent clients, ${WORKERS} worker process(es)`,
  );
  console.log(
    `Machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} cores, Node ${process.version}\n`,
  );

  await output(run('cli', env, ['db', 'migrate']));
  const config = await loadConfig({ NODE_ENV: 'test', SECRETS_FILE: env.SECRETS_FILE });
  const platformPrivate = await openpgp.readPrivateKey({ armoredKey: config.platformOpenPgpKey });
  const platformPublic = platformPrivate.toPublic().armor();

  const agencyKeys = await openpgp.generateKey({
    type: 'ecc',
    curve: 'curve25519Legacy',
    userIDs: [{ name: 'Bench agency' }],
    format: 'armored',
  });
  const keyFile = join(tmpdir(), `bench-agency-${process.pid}.asc`);
  writeFileSync(keyFile, agencyKeys.publicKey);
  const agency = JSON.parse(
    await output(
      run('cli', env, ['agency', 'create', '--name', 'Bench', '--signing-key', keyFile, '--json']),
    ),
  ) as { apiKey: string };
  const agencyPublic = await openpgp.readKey({ armoredKey: agencyKeys.publicKey });
  const agencySigningKey: AgencySigningKey = {
    fingerprint: agencyPublic.getFingerprint(),
    publicKeyArmored: agencyKeys.publicKey,
    addedAt: new Date(0),
    revokedAt: null,
  };

  // Distinct documents, made in advance so the clients measure the API, not our own encryption.
  const distinct = Math.min(LETTERS, 200);
  const contents: string[] = [];
  for (let i = 0; i < distinct; i += 1) {
    contents.push(
      await encryptAndSignForPlatform(
        randomBytes(DOC_BYTES),
        { platformPublicKey: platformPublic, signingPrivateKey: agencyKeys.privateKey },
        { armor: false },
      ),
    );
  }
  const binaries = contents.map((c) => Buffer.from(c, 'base64'));

  process.stdout.write('Measuring the machine limit (openpgp decrypt + verify, all cores, 8 s)… ');
  const limit = await measureOpenPgpLimit(
    config.platformOpenPgpKey,
    agencySigningKey,
    binaries,
    args.quick ? 5 : 8,
  );
  console.log(`${fmt(limit.opsPerSecond)} documents/s on ${limit.threads} threads`);

  const children = [run('api', env), ...Array.from({ length: WORKERS }, () => run('worker', env))];
  for (let i = 0; i < 100; i += 1) {
    if (
      await fetch(`${api}/health/ready`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    await new Promise((r) => setTimeout(r, 200));
  }

  const recipients = Array.from({ length: 50 }, (_, i) =>
    makeSyntheticNorwegianId(new Date(1960 + (i % 40), i % 12, 1 + (i % 28)), 100 + i, 'tenor'),
  );
  const submitLatencies: number[] = [];
  let statusErrors = 0;
  let next = 0;
  const started = Date.now();
  const before = children.map((c) => usageOf(c.pid!));
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < LETTERS) {
        const i = next++;
        const body = JSON.stringify({
          recipient: { nationalId: recipients[i % recipients.length] },
          title: `Benchmark letter ${i}`,
          documents: [
            {
              filename: 'letter.pdf',
              mediaType: 'application/pdf',
              content: contents[i % contents.length],
            },
          ],
        });
        const t0 = performance.now();
        const response = await fetch(`${api}/v1/letters`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${agency.apiKey}`,
            'content-type': 'application/json',
            'idempotency-key': randomUUID(),
          },
          body,
        });
        await response.arrayBuffer();
        submitLatencies.push(performance.now() - t0);
        if (response.status !== 202) statusErrors += 1;
      }
    }),
  );
  const submitSeconds = (Date.now() - started) / 1000;

  const db = new Client({ connectionString: env.DATABASE_URL });
  await db.connect();
  let delivered = 0;
  const deadline = Date.now() + 600_000;
  while (Date.now() < deadline) {
    const { rows } = await db.query<{ n: string }>(
      `SELECT count(*) AS n FROM letters WHERE state = 'delivered'`,
    );
    delivered = Number(rows[0].n);
    if (delivered >= LETTERS - statusErrors) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const endToEndSeconds = (Date.now() - started) / 1000;
  const { rows: timing } = await db.query<{ ms: number }>(
    `SELECT extract(epoch FROM (delivered_at - created_at)) * 1000 AS ms FROM letters WHERE state = 'delivered'`,
  );
  await db.end();
  const after = children.map((c) => usageOf(c.pid!));
  children.forEach((c) => c.kill('SIGTERM'));
  await Promise.all(children.map((c) => new Promise((r) => c.once('exit', r))));
  await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);

  const submit = summarize(submitLatencies);
  const toDelivered = summarize(timing.map((t) => Number(t.ms)));
  const throughput = delivered / endToEndSeconds;
  const results = {
    at: new Date().toISOString(),
    letters: LETTERS,
    workers: WORKERS,
    concurrency: CONCURRENCY,
    limit,
    submit: { ...submit, perSecond: LETTERS / submitSeconds, errors: statusErrors },
    delivered: {
      count: delivered,
      perSecond: throughput,
      ratioToLimit: throughput / limit.opsPerSecond,
    },
    submitToDeliveredMs: toDelivered,
    processes: children.map((_, i) => ({
      name: i === 0 ? 'api' : `worker-${i}`,
      cpuSeconds: (after[i]?.cpuSeconds ?? 0) - (before[i]?.cpuSeconds ?? 0),
      rssMb: after[i]?.rssMb ?? 0,
    })),
  };

  console.log(`
| measure | value |
|---|---|
| submit latency p50 / p95 / p99 | ${fmt(submit.p50)} / ${fmt(submit.p95)} / ${fmt(submit.p99)} ms |
| submissions per second (${CONCURRENCY} clients) | ${fmt(results.submit.perSecond)} (${statusErrors} non-202) |
| delivered end to end | ${delivered} of ${LETTERS} in ${fmt(endToEndSeconds)} s = ${fmt(throughput)} letters/s |
| submit → delivered p50 / p99 | ${fmt(toDelivered.p50, 0)} / ${fmt(toDelivered.p99, 0)} ms |
| limit: openpgp decrypt + verify, ${limit.threads} threads | ${fmt(limit.opsPerSecond)} documents/s |
| delivered throughput / limit | ${fmt(results.delivered.ratioToLimit * 100, 0)} % |
${results.processes.map((p) => `| ${p.name}: CPU during the run, RSS at the end | ${fmt(p.cpuSeconds)} s, ${fmt(p.rssMb, 0)} MB |`).join('\n')}
`);
  mkdirSync(join(ROOT, 'var/bench'), { recursive: true });
  writeFileSync(join(ROOT, 'var/bench/latest.json'), JSON.stringify(results, null, 2));
  console.log('Raw results: var/bench/latest.json');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
