/**
 * `node dist/bench/reads.js [--mailbox N] [--total N] [--timed N] [--worker] [--alloc-profile]
 *   [--production-settings]`:
 * the citizen's read path alone, the quick A/B test for a change to it. One API process (and
 * with --worker a worker) on a fresh database with a mailbox of N letters; the inbox list and
 * document download timed over HTTP, twice, and the API's garbage collections counted during
 * each kind of the second pass. With
 * --alloc-profile, what the API allocates per request of each kind, by package and by function,
 * from V8's sampling heap profiler (the profiles go to var/bench/profiles).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '#config';
import { summarizeAllocations, type SamplingHeapProfile } from './alloc-summary';
import { admin, dbUrl } from './db';
import { SAMPLER_FLAGS, gcSummary, samplerSpans, tailCauses } from './gc-spans';
import { ownCpuSeconds, usage } from './process-usage';
import { ROOT, clientCpuSeconds, createAgency, output, runApp, waitReady } from './processes';
import { describeSettings, serverSettings } from './server-settings';
import { rerunWithOwnServers } from './own-servers';
import { READ_WARM_UP, measureReads, seedScale } from './read-path';
import { fmt } from './stats';

const { values: args } = parseArgs({
  options: {
    'production-settings': { type: 'boolean', default: false },
    mailbox: { type: 'string', default: '2000' },
    total: { type: 'string', default: '20000' },
    timed: { type: 'string', default: '1000' },
    'alloc-profile': { type: 'boolean', default: false },
    worker: { type: 'boolean', default: false },
    top: { type: 'string', default: '20' },
  },
});
const TIMED = Number(args.timed);

async function main() {
  if (args['production-settings']) return rerunWithOwnServers(__filename, '--production-settings');
  const name = `postkasse_bench_reads_${randomBytes(3).toString('hex')}`;
  const port = 3700 + Math.floor(Math.random() * 90);
  const base = `http://127.0.0.1:${port}`;
  const profileDir = join(ROOT, 'var/bench/profiles');
  mkdirSync(profileDir, { recursive: true });
  const profileBase = join(profileDir, `api-reads-${Date.now()}`);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'test',
    PORT: String(port),
    DATABASE_URL: dbUrl(name),
    QUEUE_PREFIX: `pk-reads-${randomBytes(3).toString('hex')}`,
    SECRETS_FILE: join(ROOT, '.secrets/bench.json'),
    LOG_LEVEL: 'warn',
    // The benchmark measures what the platform carries, not the per-caller limits.
    RATE_LIMIT_AGENCY_REQUESTS: '0',
    RATE_LIMIT_CITIZEN_REQUESTS: '0',
    RATE_LIMIT_ANONYMOUS_REQUESTS: '0',
    // Workers of one run would share a fixed metrics port; the benchmark does not scrape them.
    WORKER_METRICS_PORT: '0',
    SMTP_URL: 'smtp://127.0.0.1:1',
    ALLOC_PROFILE_FILE: profileBase,
    ALLOC_PROFILE_HEAP: args['alloc-profile'] ? '1' : '0',
  };
  await output(runApp('cli', env, ['db', 'migrate']));
  console.log(
    describeSettings(
      await serverSettings(env.DATABASE_URL!, process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'),
    ),
  );
  const config = await loadConfig({ NODE_ENV: 'test', SECRETS_FILE: env.SECRETS_FILE });
  await createAgency(env, 'Reads');
  const scale = await seedScale(config, name, 'Reads', {
    mailbox: Number(args.mailbox),
    total: Number(args.total),
  });

  const api = runApp('api', env, [], {
    nodeFlags: SAMPLER_FLAGS,
    stdout: 'ignore',
  });
  // A worker too, as in production: a first read stages a receipt that it signs and sequences.
  const worker = args.worker ? runApp('worker', env, [], { stdout: 'ignore' }) : null;
  const span = samplerSpans(api, profileBase);
  try {
    await waitReady(base);
    // The development issuer is the API's own: a token is minted once it answers.
    const token = await output(runApp('cli', env, ['dev', 'token', '--citizen', scale.owner]));
    console.log(
      `Read path: mailbox of ${Number(args.mailbox).toLocaleString('en')} in ${scale.total.toLocaleString('en')} letters, ${TIMED} timed requests of each kind per pass (after ${READ_WARM_UP} untimed)`,
    );
    const reads = { api: base, token, docIds: scale.docIds, timed: TIMED, apiPid: api.pid };
    const first = await measureReads(reads);
    console.log(
      `first pass: list p50 ${fmt(first.list.p50)} p99 ${fmt(first.list.p99)} ms; download p50 ${fmt(first.download.p50)} p99 ${fmt(first.download.p99)} ms`,
    );
    const requests = TIMED + READ_WARM_UP;
    for (const kind of ['list', 'download'] as const) {
      const cpuBefore = usage(api.pid!).cpu;
      const {
        result: timed,
        gcs,
        name,
      } = await span(() => measureReads({ ...reads, kinds: [kind] }));
      const cpuMs = (usage(api.pid!).cpu - cpuBefore) * 1000;
      const result = timed[kind];
      console.log(
        `\n${kind}, second pass: p50 ${fmt(result.p50)} p99 ${fmt(result.p99)} ms; API CPU ${fmt(cpuMs / requests, 2)} ms per request${args['alloc-profile'] ? ' (while profiling)' : ''}; its collections meanwhile: ${gcSummary(gcs)}`,
      );
      console.log(tailCauses(result.spans, gcs, timed.own));
      if (args['alloc-profile']) {
        const profile = JSON.parse(
          readFileSync(`${name}.heapprofile`, 'utf8'),
        ) as SamplingHeapProfile;
        console.log(`allocation profile ${name}.heapprofile`);
        console.log(summarizeAllocations(profile, requests, Number(args.top)));
      }
    }
    console.log(
      `\nThe harness's own CPU, apart from the API's: this process (seeding included) ${fmt(ownCpuSeconds())} s, its read clients ${fmt(clientCpuSeconds())} s`,
    );
  } finally {
    for (const child of [api, worker]) {
      if (!child) continue;
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
