/**
 * `node dist/bench/export.js [--letters N] [--access-log N]`: the API's memory while it streams
 * one citizen's mailbox export. A fresh database with a mailbox of N delivered letters (each a
 * real sealed 2 KB document, the fast seed of the read benchmark) and two receipts per letter
 * signed into the log by the real sequencer; the API as a process of its own; the export
 * downloaded while the API's RSS is read from /proc every 50 ms; then the archive checked by
 * `evidence verify-export`. The bar: 10,000 letters under 256 MB.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { loadConfig } from '#config';
import { createDataSource } from '#database';
import { ReceiptSequencer } from '#letters';
import { AccessLogStore, Sql } from '#stores';
import { admin, dbUrl } from './db';
import { usage } from './process-usage';
import { ROOT, createAgency, output, runApp, waitReady } from './processes';
import { seedScale } from './read-path';
import { fmt } from './stats';

const { values: args } = parseArgs({
  options: {
    letters: { type: 'string', default: '10000' },
    'access-log': { type: 'string', default: '2500' },
  },
});

/** Staged accepted and delivered receipts for every letter, as the pipeline would have made. */
async function seedReceipts(url: string, accessEntries: number): Promise<number> {
  const db = await createDataSource(url, 2).initialize();
  try {
    const config = await loadConfig({
      NODE_ENV: 'test',
      SECRETS_FILE: join(ROOT, '.secrets/bench.json'),
    });
    for (const type of ['accepted', 'delivered']) {
      await db.query(
        `INSERT INTO receipts (id, letter_id, agency_id, type, at, payload)
         SELECT gen_random_uuid(), l.id, l.agency_id, $1, l.delivered_at,
                jsonb_build_object('letterId', l.id, 'type', $1::text,
                  'at', to_char(l.delivered_at AT TIME ZONE 'utc', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                  'agencyId', l.agency_id, 'recipientRef', mb.recipient_ref,
                  'documents', jsonb_build_array(
                    CASE WHEN $1 = 'delivered'
                      THEN jsonb_build_object('ciphertextSha256', encode(d.received_sha256, 'hex'),
                                              'plaintextSha256', encode(d.plaintext_sha256, 'hex'))
                      ELSE jsonb_build_object('ciphertextSha256', encode(d.received_sha256, 'hex'))
                    END))
           FROM letters l JOIN mailboxes mb ON mb.id = l.mailbox_id
           JOIN documents d ON d.letter_id = l.id
          ORDER BY l.delivered_at`,
        [type],
      );
    }
    // Written as the platform writes them (each with the hash its leaf commits to), so the
    // sequencer gives each its leaf and the export's access-log evidence verifies. A second
    // apart: a leaf committed more than a day after its entry's time would be backdating.
    const [{ mailbox_id: mailboxId }] = await db.query<{ mailbox_id: string }[]>(
      'SELECT mailbox_id FROM letters LIMIT 1',
    );
    const now = Date.now();
    await new AccessLogStore().recordMany(
      new Sql(db),
      Array.from({ length: accessEntries }, (_, i) => ({
        mailboxId,
        actor: { kind: 'agency', id: 'bench', name: 'Benchmarkdirektoratet' },
        action: 'recipient.lookup' as const,
        purpose: 'Benchmark',
        at: new Date(now - (i + 1) * 1000),
      })),
    );
    const sequencer = new ReceiptSequencer(db, config.receiptSigningKey);
    let logged = 0;
    for (;;) {
      const n = await sequencer.sequenceBatch(1_000);
      if (n === 0) return logged;
      logged += n;
    }
  } finally {
    await db.destroy();
  }
}

async function main() {
  const letters = Number(args.letters);
  const name = `postkasse_bench_export_${randomBytes(3).toString('hex')}`;
  const port = 3800 + Math.floor(Math.random() * 90);
  const base = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'test',
    PORT: String(port),
    DATABASE_URL: dbUrl(name),
    QUEUE_PREFIX: `pk-export-${randomBytes(3).toString('hex')}`,
    SECRETS_FILE: join(ROOT, '.secrets/bench.json'),
    LOG_LEVEL: 'warn',
    RATE_LIMIT_CITIZEN_REQUESTS: '0',
    WORKER_METRICS_PORT: '0',
    SMTP_URL: 'smtp://127.0.0.1:1',
    // As the image and scripts/start.sh run the API.
    MALLOC_MMAP_THRESHOLD_: '1048576',
    NODE_OPTIONS: process.env.NODE_OPTIONS ?? '--max-semi-space-size=8',
  };
  const dir = join(ROOT, 'var/bench');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.tar`);
  let api: ReturnType<typeof runApp> | null = null;
  try {
    await output(runApp('cli', env, ['db', 'migrate']));
    const config = await loadConfig({ NODE_ENV: 'test', SECRETS_FILE: env.SECRETS_FILE });
    await createAgency(env, 'Export');
    const scale = await seedScale(config, name, 'Export', { mailbox: letters, total: letters });
    const receipts = await seedReceipts(env.DATABASE_URL!, Number(args['access-log']));
    console.log(
      `${letters.toLocaleString('en')} letters and ${receipts.toLocaleString('en')} receipts seeded in ${fmt(scale.seedSeconds, 0)} s (letters)`,
    );

    api = runApp('api', env, [], {
      nodeFlags: process.env.API_NODE_FLAGS?.split(' ') ?? [],
      stdout: process.env.API_NODE_FLAGS ? 1 : 'ignore',
    });
    await waitReady(base);
    const token = await output(runApp('cli', env, ['dev', 'token', '--citizen', scale.owner]));
    const headers = { authorization: `Bearer ${token}` };
    // A few ordinary requests first, so the baseline is a warmed-up API.
    for (let i = 0; i < 20; i++)
      await (await fetch(`${base}/v1/mailbox/letters`, { headers })).text();
    const baseline = usage(api.pid!).rssMb;

    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, usage(api!.pid!).rssMb)), 50);
    const started = Date.now();
    const cpuBefore = usage(api.pid!).cpu;
    const response = await fetch(`${base}/v1/mailbox/export`, { headers });
    if (!response.ok || !response.body) throw new Error(`export answered ${response.status}`);
    await pipeline(Readable.fromWeb(response.body), createWriteStream(file));
    clearInterval(sampler);
    peak = Math.max(peak, usage(api.pid!).rssMb);
    const seconds = (Date.now() - started) / 1000;
    const cpu = usage(api.pid!).cpu - cpuBefore;
    const bytes = statSync(file).size;
    console.log(
      `export of ${letters.toLocaleString('en')} letters: ${fmt(bytes / 1024 / 1024, 1)} MB in ${fmt(seconds, 1)} s (API CPU ${fmt(cpu, 1)} s); API RSS ${fmt(baseline, 0)} MB before, peak ${fmt(peak, 0)} MB during (limit 256 MB)`,
    );

    const verifyStarted = Date.now();
    const verdict = await output(
      runApp('cli', env, ['evidence', 'verify-export', file, '--key', `${base}/v1/platform/keys`]),
    );
    console.log(`verify-export in ${fmt((Date.now() - verifyStarted) / 1000, 1)} s: ${verdict}`);
    if (peak >= 256) process.exitCode = 1;
  } finally {
    if (api) {
      api.kill('SIGTERM');
      await new Promise((r) => api!.once('exit', r));
    }
    rmSync(file, { force: true });
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
