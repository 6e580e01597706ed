import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { FaultStack, inParallel, newNationalId, report, sleep } from './support/fault-stack';

/**
 * Issue 19: a worker killed with SIGKILL in the middle of delivering batches. Letters come
 * single and in bulk; each worker delivers them in batches of 8, two batches of each queue in
 * hand, and is killed whenever it has delivered some of them, so that its other batches are
 * being read, verified or written at that moment. Every letter must end delivered exactly once:
 * one delivered receipt, one notify and one remind outbox row, its documents sealed once.
 */
const SINGLE = Number(process.env.FAULT_BATCH_SINGLE ?? 160);
const BULK = Number(process.env.FAULT_BATCH_BULK ?? 160);
const KILLS = Number(process.env.FAULT_BATCH_KILLS ?? 3);
const BATCH = 8;

jest.setTimeout(240_000);

const stack = new FaultStack();

beforeAll(async () => {
  await stack.boot({
    smtp: false,
    workers: 0,
    env: {
      WORKER_DELIVERY_BATCH: String(BATCH),
      WORKER_DELIVERY_BATCH_WAIT_MS: '20',
      WORKER_CONCURRENCY: String(2 * BATCH),
      WORKER_BULK_CONCURRENCY: String(2 * BATCH),
      OPENPGP_BACKLOG_PER_THREAD: String(4 * BATCH),
    },
  });
});
afterAll(() => stack.shutdown());

async function delivered(): Promise<number> {
  const [row] = await stack.query<{ n: string }>(
    `SELECT count(*) AS n FROM letters WHERE sender_reference LIKE 'F19-%' AND state = 'delivered'`,
  );
  return Number(row.n);
}

/** Deliver jobs a worker that took over recovered from a killed one's hands. */
async function recoveredFromStall(name: string): Promise<number> {
  const queue = new Queue(name, {
    connection: { url: stack.env.REDIS_URL },
    prefix: stack.env.QUEUE_PREFIX,
  });
  try {
    const jobs = await queue.getJobs(['completed'], 0, -1);
    return jobs.filter((j) => j.stalledCounter > 0).length;
  } finally {
    await queue.close();
  }
}

it('delivers every letter exactly once when its worker is killed mid-batch', async () => {
  const citizen = newNationalId();
  // Everything is submitted before a worker runs, so the workers take full batches at once.
  await inParallel(SINGLE, 8, async (i) => {
    const title = `F19-s${String(i).padStart(5, '0')}`;
    const r = await stack.submit(await stack.letterBody(citizen, title, i), randomUUID());
    if (r.status !== 202) throw new Error(`submit: ${r.status} ${JSON.stringify(r.body)}`);
  });
  for (let from = 0; from < BULK; from += 80) {
    const letters = await Promise.all(
      Array.from({ length: Math.min(80, BULK - from) }, async (_, k) => {
        const title = `F19-b${String(from + k).padStart(5, '0')}`;
        return { idempotencyKey: randomUUID(), ...(await stack.letterBody(citizen, title, k)) };
      }),
    );
    const r = await stack.api
      .as(stack.agency.apiKey)
      .post('/v1/letter-batches', { letters }, { 'idempotency-key': randomUUID() });
    const items = (r.body as { items?: { status: number }[] }).items ?? [];
    if (r.status !== 200 || items.some((item) => item.status !== 202))
      throw new Error(`batch: ${r.status} ${JSON.stringify(r.body).slice(0, 500)}`);
  }

  const total = SINGLE + BULK;
  const killedAt: number[] = [];
  const started = Date.now();
  for (let k = 0; k < KILLS; k += 1) {
    const worker = stack.startWorker();
    // Wait until this worker has delivered a batch or two: its next ones are in hand.
    const before = await delivered();
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && (await delivered()) < Math.min(total - 1, before + BATCH))
      await sleep(20);
    worker.child.kill('SIGKILL');
    await worker.stop();
    killedAt.push(await delivered());
  }
  stack.startWorker();
  const settledMs = await stack.waitUntilSettled('F19-', 150_000);

  const ledger = await stack.ledger('F19-');
  const [perLetter] = await stack.query<{
    not_once: string;
    outbox_not_once: string;
    unsealed: string;
  }>(
    `SELECT count(*) FILTER (WHERE (SELECT count(*) FROM receipts r
              WHERE r.letter_id = l.id AND r.type = 'delivered') <> 1) AS not_once,
            count(*) FILTER (WHERE (SELECT count(*) FROM outbox o
              WHERE o.subject_id = l.id AND o.queue IN ('notify', 'remind')) <> 2) AS outbox_not_once,
            count(*) FILTER (WHERE EXISTS (SELECT 1 FROM documents d
              WHERE d.letter_id = l.id AND (d.sealed IS NULL OR d.received IS NOT NULL))) AS unsealed
       FROM letters l WHERE l.sender_reference LIKE 'F19-%'`,
  );
  // A batch's letters share their delivery time (one statement): how many letters one wrote.
  const [statements] = await stack.query<{ n: string }>(
    `SELECT count(DISTINCT delivered_at) AS n FROM letters WHERE sender_reference LIKE 'F19-%'`,
  );
  const lettersPerStatement = ledger.delivered / Number(statements.n);
  const recovered =
    (await recoveredFromStall('deliver')) + (await recoveredFromStall('deliver-bulk'));
  report('19 batch worker kill -9', {
    letters: total,
    batch: BATCH,
    kills: killedAt.length,
    deliveredAtKills: killedAt.join('/'),
    jobsRecoveredFromKilledWorkers: recovered,
    lettersPerDeliveryStatement: lettersPerStatement.toFixed(1),
    delivered: ledger.delivered,
    lost: total - ledger.delivered - ledger.rejected,
    rejected: ledger.rejected,
    duplicated: ledger.letters - ledger.distinctRefs,
    duplicateReceipts: ledger.duplicateReceipts,
    deliveredReceiptNotOnce: Number(perLetter.not_once),
    jobsNotStagedOnce: Number(perLetter.outbox_not_once),
    documentsNotSealed: Number(perLetter.unsealed),
    seconds: ((Date.now() - started) / 1000).toFixed(1),
  });
  expect(settledMs).toBeGreaterThanOrEqual(0);
  expect(ledger.letters).toBe(total);
  expect(ledger.delivered).toBe(total);
  expect(ledger.duplicateReceipts).toBe(0);
  expect(ledger.missingDeliveredReceipt).toBe(0);
  expect(Number(perLetter.not_once)).toBe(0);
  expect(Number(perLetter.outbox_not_once)).toBe(0);
  expect(Number(perLetter.unsealed)).toBe(0);
  // The kills met letters in hand, which other workers had to take over.
  expect(killedAt.every((n) => n < total)).toBe(true);
  expect(recovered).toBeGreaterThan(0);
  expect(lettersPerStatement).toBeGreaterThan(2);
});
