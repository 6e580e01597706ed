import { randomUUID } from 'node:crypto';
import { FaultStack, inParallel, newNationalId, report, sleep } from './support/fault-stack';

/**
 * Scenario 2 (issue 7): kill -9 the API while agencies submit; each client retries with the same
 * Idempotency-Key until it gets an answer. Letters must equal distinct keys, each delivered once,
 * none without its receipt or outbox row.
 */
const LETTERS = Number(process.env.FAULT_API_LETTERS ?? 2_000);
const KILL_EVERY_MS = Number(process.env.FAULT_KILL_EVERY_MS ?? 3_000);

jest.setTimeout(15 * 60_000);

const stack = new FaultStack();

beforeAll(async () => {
  await stack.boot({ workers: 1, smtp: false });
});
afterAll(() => stack.shutdown());

it('creates exactly one letter per Idempotency-Key while the API is killed with SIGKILL', async () => {
  const citizen = newNationalId();
  let submitting = true;
  let kills = 0;
  const downtimes: number[] = [];
  const killer = (async () => {
    while (submitting) {
      await sleep(KILL_EVERY_MS);
      if (!submitting) break;
      const api = stack.apiProcess();
      api.child.kill('SIGKILL');
      await api.stop();
      kills += 1;
      const down = Date.now();
      await stack.restartApi();
      downtimes.push(Date.now() - down);
    }
  })();

  let answered = 0;
  let retries = 0;
  let fivexx = 0;
  let conflicts = 0;
  const unexpected: string[] = [];
  const ids = new Map<string, string>();
  await inParallel(LETTERS, 12, async (i) => {
    const title = `F2-${String(i).padStart(6, '0')}`;
    const body = await stack.letterBody(citizen, title, i);
    const key = randomUUID();
    for (let attempt = 0; attempt < 200; attempt += 1) {
      const r = await stack.submit(body, key).catch(() => null);
      if (r?.status === 202) {
        answered += 1;
        const previous = ids.get(key);
        if (previous && previous !== r.body.id) unexpected.push(`${key}: two ids`);
        ids.set(key, r.body.id as string);
        return;
      }
      if (r?.status === 409) conflicts += 1;
      else if (r && r.status >= 500) fivexx += 1;
      else if (r) unexpected.push(`${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
      retries += 1;
      await sleep(100 + Math.random() * 200);
    }
  });
  submitting = false;
  await killer;

  const settledMs = await stack.waitUntilSettled('F2-', 120_000);
  const ledger = await stack.ledger('F2-');
  const figures = {
    keys: LETTERS,
    answered202: answered,
    letters: ledger.letters,
    delivered: ledger.delivered,
    lost: LETTERS - ledger.letters,
    duplicated: ledger.letters - ledger.distinctRefs,
    duplicateReceipts: ledger.duplicateReceipts,
    missingReceipts: ledger.missingAcceptedReceipt + ledger.missingDeliveredReceipt,
    missingOutbox: ledger.missingOutbox,
    apiKills: kills,
    apiRestartMsMax: Math.max(0, ...downtimes),
    clientRetries: retries,
    '409InFlight': conflicts,
    '5xx': fivexx,
    unexpected: unexpected.length,
    settledSeconds: settledMs < 0 ? 'never' : (settledMs / 1000).toFixed(1),
  };
  report('2 API kill -9 with retried Idempotency-Keys', figures);
  expect(unexpected).toEqual([]);
  expect(answered).toBe(LETTERS);
  expect(ledger.letters).toBe(LETTERS);
  expect(ledger.distinctRefs).toBe(LETTERS);
  expect(ledger.delivered).toBe(LETTERS);
  expect(ledger.duplicateReceipts).toBe(0);
  expect(ledger.missingAcceptedReceipt + ledger.missingDeliveredReceipt).toBe(0);
  expect(ledger.missingOutbox).toBe(0);
  expect(kills).toBeGreaterThan(2);
});
