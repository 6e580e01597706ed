/**
 * `node dist/bench/drain.js [letters] [--profile]`: worker throughput alone. Letters are submitted
 * with no worker running, then one worker drains them; PostgreSQL wait events are sampled
 * meanwhile, to see what the worker waits on.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { loadConfig } from '#config';
import { encryptAndSignForPlatform } from '#crypto';
import { makeSyntheticNorwegianId } from '#identity';
import { admin, dbUrl, sql } from './db';
import { cpuOfProcessesNamed, usage } from './process-usage';
import { ROOT, createAgency, output, runApp, waitReady } from './processes';

const LETTERS = Number(process.argv[2] ?? 300);
const PROFILE = process.argv.includes('--profile');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The API or a worker, with V8 CPU profiles into var/bench/profiles under --profile. */
const runProcess = (app: 'api' | 'worker', env: NodeJS.ProcessEnv) =>
  runApp(app, env, [], {
    nodeFlags: PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${join(ROOT, 'var/bench/profiles')}`] : [],
    stdout: 'ignore',
  });

async function main() {
  const name = `postkasse_bench_drain_${randomBytes(3).toString('hex')}`;
  const db = dbUrl(name);
  const port = 3800 + Math.floor(Math.random() * 90);
  const env = {
    ...process.env,
    NODE_ENV: 'test',
    PORT: String(port),
    DATABASE_URL: db,
    QUEUE_PREFIX: `pk-drain-${randomBytes(3).toString('hex')}`,
    SECRETS_FILE: join(ROOT, '.secrets/bench.json'),
    LOG_LEVEL: 'warn',
    // The benchmark measures what the platform carries, not the per-caller limits.
    RATE_LIMIT_AGENCY_REQUESTS: '0',
    RATE_LIMIT_CITIZEN_REQUESTS: '0',
    RATE_LIMIT_ANONYMOUS_REQUESTS: '0',
    // Workers of one run would share a fixed metrics port; the benchmark does not scrape them.
    WORKER_METRICS_PORT: '0',
    SMTP_URL: 'smtp://127.0.0.1:1',
    DATABASE_POOL_SIZE: '20',
    WORKER_CONCURRENCY: process.env.WORKER_CONCURRENCY ?? '16',
  };
  await output(runApp('cli', env, ['db', 'migrate']));
  const config = await loadConfig({ NODE_ENV: 'test', SECRETS_FILE: env.SECRETS_FILE });
  const platformPublic = (await openpgp.readPrivateKey({ armoredKey: config.platformOpenPgpKey }))
    .toPublic()
    .armor();
  const agency = await createAgency(env, 'Drain');
  const api = runProcess('api', env);
  await waitReady(`http://127.0.0.1:${port}`);
  const contents = await Promise.all(
    Array.from({ length: 50 }, () =>
      encryptAndSignForPlatform(
        randomBytes(20 * 1024),
        { platformPublicKey: platformPublic, signingPrivateKey: agency.privateKey },
        { armor: false },
      ),
    ),
  );
  let next = 0;
  const submitStart = {
    t: Date.now(),
    ...usage(api.pid!),
    postgres: cpuOfProcessesNamed('postgres'),
    redis: cpuOfProcessesNamed('redis-server'),
  };
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < LETTERS) {
        const i = next++;
        const r = await fetch(`http://127.0.0.1:${port}/v1/letters`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${agency.apiKey}`,
            'content-type': 'application/json',
            'idempotency-key': randomUUID(),
          },
          body: JSON.stringify({
            recipient: {
              nationalId: makeSyntheticNorwegianId(
                new Date(1970, i % 12, 1 + (i % 28)),
                100 + (i % 50),
                'tenor',
              ),
            },
            title: 't',
            documents: [
              {
                filename: 'a.pdf',
                mediaType: 'application/pdf',
                content: contents[i % contents.length],
              },
            ],
          }),
        });
        await r.arrayBuffer();
      }
    }),
  );
  const submitEnd = {
    t: Date.now(),
    ...usage(api.pid!),
    postgres: cpuOfProcessesNamed('postgres'),
    redis: cpuOfProcessesNamed('redis-server'),
  };
  console.log(
    `submitted ${LETTERS} letters with 8 clients: ${((1000 * LETTERS) / (submitEnd.t - submitStart.t)).toFixed(1)} letters/s; API CPU per letter ${((1000 * (submitEnd.cpu - submitStart.cpu)) / LETTERS).toFixed(1)} ms, ${((1000 * (submitEnd.mainThreadCpu - submitStart.mainThreadCpu)) / LETTERS).toFixed(1)} ms on its main thread; PostgreSQL ${((1000 * (submitEnd.postgres - submitStart.postgres)) / LETTERS).toFixed(1)} ms, Redis ${((1000 * (submitEnd.redis - submitStart.redis)) / LETTERS).toFixed(1)} ms (all processes of the machine)`,
  );
  const started = Date.now();
  const workers = Array.from({ length: Number(process.env.DRAIN_WORKERS ?? 1) }, () =>
    runProcess('worker', env),
  );
  const waits = new Map<string, number>();
  const cpu = () =>
    workers
      .map((w) => usage(w.pid!))
      .reduce((a, u) => ({ ...a, all: a.all + u.cpu, main: a.main + u.mainThreadCpu }), {
        all: 0,
        main: 0,
        postgres: cpuOfProcessesNamed('postgres'),
        redis: cpuOfProcessesNamed('redis-server'),
      });
  // Rates count from the first delivery, so the workers' start-up is not in them.
  let first: { t: number; n: number; cpu: ReturnType<typeof cpu> } | null = null;
  for (;;) {
    const [{ n }] = await sql<{ n: string }>(
      db,
      `SELECT count(*) AS n FROM letters WHERE state = 'delivered'`,
    );
    if (!first && Number(n) > 0) first = { t: Date.now(), n: Number(n), cpu: cpu() };
    const rows = await sql<{ w: string | null; state: string }>(
      dbUrl('postgres'),
      `SELECT coalesce(wait_event_type || ':' || wait_event, 'CPU') AS w, state FROM pg_stat_activity WHERE datname = $1 AND state <> 'idle'`,
      [name],
    );
    for (const r of rows) waits.set(`${r.state} ${r.w}`, (waits.get(`${r.state} ${r.w}`) ?? 0) + 1);
    if (Number(n) >= LETTERS) break;
    await sleep(50);
  }
  const seconds = (Date.now() - started) / 1000;
  const end = cpu();
  const counted = LETTERS - first!.n;
  const steady = (Date.now() - first!.t) / 1000;
  console.log(
    `worker drained ${LETTERS} letters in ${seconds.toFixed(1)} s with start-up, ${(counted / steady).toFixed(1)} letters/s from the first delivery (${workers.length} worker(s), concurrency ${env.WORKER_CONCURRENCY})`,
  );
  console.log(
    `worker CPU per letter: ${((1000 * (end.all - first!.cpu.all)) / counted).toFixed(1)} ms in all threads, ${((1000 * (end.main - first!.cpu.main)) / counted).toFixed(1)} ms on the main thread; PostgreSQL ${((1000 * (end.postgres - first!.cpu.postgres)) / counted).toFixed(1)} ms, Redis ${((1000 * (end.redis - first!.cpu.redis)) / counted).toFixed(1)} ms (all processes of the machine)`,
  );
  console.log(
    'PostgreSQL backends of this database, sampled every 50 ms (state wait_event: samples):',
  );
  for (const [k, v] of [...waits.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12))
    console.log(`  ${k}: ${v}`);
  workers.forEach((w) => w.kill('SIGTERM'));
  api.kill('SIGTERM');
  await sleep(1500);
  await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  process.exit(0);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
