import { randomBytes, randomUUID } from 'node:crypto';
import { GnuPgAgency } from '../support/agency';
import { FaultStack, inParallel, newNationalId, report, sleep } from './support/fault-stack';

/**
 * Hardening: queue wait is not decryption time. One agency sends a burst of letters with several
 * multi-megabyte documents each, another agency small letters beside it, and the worker runs
 * with a short DOCUMENT_TIMEOUT_MS: each document alone needs a fraction of the limit, but all
 * of them together need many times it on two threads. Every honest letter must be delivered;
 * none may be rejected for the time it spent waiting for a thread.
 */
jest.setTimeout(180_000);

const TIMEOUT_MS = 5_000;
const BURST_LETTERS = Number(process.env.FAULT_BURST_LETTERS ?? 6);
const DOCUMENTS_PER_LETTER = 8;
const SMALL_LETTERS = Number(process.env.FAULT_BURST_SMALL_LETTERS ?? 20);
/** Base64 of random bytes: 4 MB of text that bzip2 cannot shrink much. */
const DOCUMENT_TEXT_BYTES = 3 * 1024 * 1024;

const stack = new FaultStack();
const gpg = new GnuPgAgency();
let burstApiKey: string;
let large: string[] = [];

beforeAll(async () => {
  await stack.boot({
    env: { DOCUMENT_TIMEOUT_MS: String(TIMEOUT_MS), WORKER_CONCURRENCY: '8', OPENPGP_THREADS: '2' },
  });
  gpg.init(stack.platformKey);
  const out = await stack.cli([
    'agency',
    'create',
    '--name',
    'Burst agency',
    '--signing-key',
    gpg.keyFile(),
    '--json',
  ]);
  burstApiKey = (JSON.parse(out) as { apiKey: string }).apiKey;
  const fingerprint = (await stack.api.get('/v1/platform/keys')).body.openpgp.fingerprint as string;
  // bzip2, as GnuPG offers it: openpgp.js decompresses it in JavaScript, a few hundred ms per
  // document here, which makes the queue long without any document being slow on its own.
  large = [0, 1, 2].map((i) =>
    gpg
      .sealTo(
        fingerprint.toUpperCase(),
        `${i} ${randomBytes(DOCUMENT_TEXT_BYTES).toString('base64')}`,
        ['--compress-algo', 'bzip2'],
      )
      .toString('base64'),
  );
});

afterAll(async () => {
  gpg.close();
  await stack.shutdown();
});

it('delivers every honest letter of a burst of large documents and of another agency beside it', async () => {
  const citizen = newNationalId();
  const prefix = `QW-${randomUUID().slice(0, 8)}`;
  const answers: number[] = [];
  let maxActive = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      maxActive = Math.max(maxActive, (await stack.queueCounts('deliver')).active ?? 0);
      await sleep(100);
    }
  })();

  const started = Date.now();
  let burstStarted: () => void = () => undefined;
  const firstBurstLetter = new Promise<void>((r) => (burstStarted = r));
  const burst = inParallel(BURST_LETTERS, 2, async (i) => {
    const title = `${prefix}-large-${i}`;
    const response = await stack.api.as(burstApiKey).post(
      '/v1/letters',
      {
        recipient: { nationalId: citizen },
        title,
        senderReference: title,
        documents: Array.from({ length: DOCUMENTS_PER_LETTER }, (_, d) => ({
          filename: `vedlegg-${d + 1}.txt`,
          mediaType: 'text/plain',
          content: large[(i + d) % large.length],
        })),
      },
      { 'idempotency-key': randomUUID() },
    );
    answers.push(response.status);
    burstStarted();
  });
  // The other agency's letters arrive while the burst is being decrypted.
  const small = firstBurstLetter.then(() =>
    inParallel(SMALL_LETTERS, 4, async (i) => {
      const response = await stack.submit(
        await stack.letterBody(citizen, `${prefix}-small-${i}`, i),
      );
      answers.push(response.status);
    }),
  );
  await Promise.all([burst, small]);
  const submittedMs = Date.now() - started;
  const settledMs = await stack.waitUntilSettled(prefix, 120_000);
  sampling = false;
  await sampler;

  const ledger = await stack.ledger(prefix);
  const rejected = await stack.query<{ ref: string; reason: unknown }>(
    `SELECT l.sender_reference AS ref, r.payload->'reason' AS reason
       FROM letters l JOIN receipts r ON r.letter_id = l.id AND r.type = 'rejected'
      WHERE l.sender_reference LIKE $1`,
    [`${prefix}%`],
  );
  const [waited] = await stack.query<{ large_s: string; small_s: string }>(
    `SELECT max(extract(epoch FROM delivered_at - created_at))
              FILTER (WHERE sender_reference LIKE $2) AS large_s,
            max(extract(epoch FROM delivered_at - created_at))
              FILTER (WHERE sender_reference LIKE $3) AS small_s
       FROM letters WHERE sender_reference LIKE $1`,
    [`${prefix}%`, `${prefix}-large-%`, `${prefix}-small-%`],
  );
  const total = BURST_LETTERS + SMALL_LETTERS;
  report('queue wait', {
    largeLetters: BURST_LETTERS,
    largeDocuments: BURST_LETTERS * DOCUMENTS_PER_LETTER,
    documentMb: (Buffer.from(large[0], 'base64').length / 1e6).toFixed(1),
    smallLetters: SMALL_LETTERS,
    timeoutMs: TIMEOUT_MS,
    submittedMs,
    settledMsAfterSubmission: settledMs,
    delivered: ledger.delivered,
    rejected: ledger.rejected,
    slowestLargeS: Number(waited.large_s ?? -1).toFixed(1),
    slowestSmallS: Number(waited.small_s ?? -1).toFixed(1),
    maxActiveDeliverJobs: maxActive,
  });

  expect(answers.filter((s) => s !== 202)).toEqual([]);
  expect(rejected).toEqual([]);
  expect(settledMs).toBeGreaterThanOrEqual(0);
  expect(ledger).toMatchObject({ letters: total, delivered: total, rejected: 0, accepted: 0 });
});
