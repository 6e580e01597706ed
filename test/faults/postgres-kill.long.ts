import { randomUUID } from 'node:crypto';
import { FaultStack, inParallel, newNationalId, report, sleep } from './support/fault-stack';

/**
 * Scenario 4 (issue 7): this test database's connections are terminated again and again while
 * letters are submitted and read. Clients see only 202/200 or 503 with Retry-After; nothing is
 * written half; no duplicates; the processes recover on their own, without a restart.
 */
const LETTERS = Number(process.env.FAULT_PG_LETTERS ?? 600);
const KILL_EVERY_MS = Number(process.env.FAULT_PG_KILL_EVERY_MS ?? 2_000);

jest.setTimeout(15 * 60_000);

const stack = new FaultStack();

beforeAll(async () => {
  await stack.boot({ smtp: false, workers: 1 });
});
afterAll(() => stack.shutdown());

it('answers only 503 with Retry-After while connections die, and loses or halves nothing', async () => {
  const citizen = newNationalId();
  let running = true;
  let kills = 0;
  let terminated = 0;
  let lastKill = Date.now();
  const killer = (async () => {
    while (running) {
      await sleep(KILL_EVERY_MS);
      if (!running) break;
      terminated += await stack.killDatabaseConnections();
      kills += 1;
      lastKill = Date.now();
    }
  })();

  const statuses = new Map<number, number>();
  const bad: string[] = [];
  const count = (s: number) => statuses.set(s, (statuses.get(s) ?? 0) + 1);
  const pid = stack.apiProcess().child.pid;
  await inParallel(LETTERS, 8, async (i) => {
    const body = await stack.letterBody(citizen, `F4-${String(i).padStart(6, '0')}`, i);
    const key = randomUUID();
    for (let attempt = 0; attempt < 100; attempt += 1) {
      const r = await stack.submit(body, key).catch(() => null);
      count(r?.status ?? 0);
      if (r?.status === 202) {
        // A read right after, through the same storm.
        const read = await stack.api.as(stack.agency.apiKey).get(`/v1/letters/${r.body.id}`);
        count(read.status);
        if (read.status !== 200 && !(read.status === 503 && read.headers.get('retry-after')))
          bad.push(`GET ${read.status} ${JSON.stringify(read.body).slice(0, 200)}`);
        return;
      }
      if (r?.status === 409) continue; // the same key still in flight on a dying connection
      if (!r || r.status !== 503 || !r.headers.get('retry-after'))
        bad.push(`POST ${r?.status} ${JSON.stringify(r?.body).slice(0, 200)}`);
      await sleep(Math.min(1000, 1000 * Number(r?.headers.get('retry-after') ?? 1)) * 0.2);
    }
  });
  running = false;
  await killer;
  const stoppedKilling = Date.now();
  let recoveredMs = -1;
  while (Date.now() - stoppedKilling < 60_000) {
    const r = await stack.api.as(stack.agency.apiKey).get('/v1/events?limit=1');
    if (r.status === 200) {
      recoveredMs = Date.now() - stoppedKilling;
      break;
    }
    await sleep(100);
  }
  const settled = await stack.waitUntilSettled('F4-', 120_000);
  const ledger = await stack.ledger('F4-');
  const [half] = await stack.query<{ docless: string; orphans: string }>(
    `SELECT (SELECT count(*) FROM letters l WHERE l.sender_reference LIKE 'F4-%'
              AND NOT EXISTS (SELECT 1 FROM documents d WHERE d.letter_id = l.id)) AS docless,
            (SELECT count(*) FROM idempotency_keys k WHERE NOT EXISTS
              (SELECT 1 FROM letters l WHERE l.id = (k.response->>'id')::uuid)) AS orphans`,
  );
  const halfWritten =
    Number(half.docless) +
    Number(half.orphans) +
    ledger.missingAcceptedReceipt +
    ledger.missingOutbox +
    ledger.missingDeliveredReceipt;
  report('4 PostgreSQL connections killed', {
    letters: LETTERS,
    stored: ledger.letters,
    delivered: ledger.delivered,
    lost: LETTERS - ledger.delivered,
    duplicated: ledger.letters - ledger.distinctRefs,
    halfWritten,
    kills,
    connectionsTerminated: terminated,
    statuses: JSON.stringify(Object.fromEntries(statuses)),
    unexpectedAnswers: bad.length,
    recoveryMs: recoveredMs,
    settledSeconds: settled < 0 ? 'never' : (settled / 1000).toFixed(1),
    sinceLastKillSeconds: ((Date.now() - lastKill) / 1000).toFixed(1),
    apiRestarted: stack.apiProcess().child.pid !== pid ? 'yes' : 'no',
  });
  if (settled < 0) {
    report('4 diagnosis', {
      workersAlive: stack.workers().length,
      stillAccepted: ledger.accepted,
      unsequenced: ledger.unsequenced,
      deliver: JSON.stringify(await stack.queueCounts('deliver')),
    });
    for (const w of stack.processes.filter((p) => p.name === 'worker'))
      process.stdout.write(`${w.output().slice(-5_000)}\n`);
  }
  if (bad.length > 0) {
    const errors = stack.processes
      .filter((p) => p.name === 'api')
      .flatMap((p) => p.output().split('\n'))
      .filter((line) => line.includes('unhandled error'));
    process.stdout.write(`${errors.slice(0, 5).join('\n').slice(0, 6_000)}\n`);
  }
  expect(bad.slice(0, 10)).toEqual([]);
  expect(stack.apiProcess().child.pid).toBe(pid);
  expect(stack.apiProcess().child.exitCode).toBeNull();
  expect(recoveredMs).toBeGreaterThanOrEqual(0);
  expect(ledger.letters).toBe(LETTERS);
  expect(ledger.delivered).toBe(LETTERS);
  expect(ledger.letters - ledger.distinctRefs).toBe(0);
  expect(halfWritten).toBe(0);
  expect(kills).toBeGreaterThan(2);
});
