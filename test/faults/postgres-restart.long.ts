import { randomUUID } from 'node:crypto';
import { FaultStack, inParallel, newNationalId, report, sleep } from './support/fault-stack';
import { PrivatePostgres } from './support/private-postgres';

/**
 * Scenario 4, second half (issue 7): the PostgreSQL server itself crashes (immediate stop) and
 * comes back, on a private cluster. Clients see 503 with Retry-After while it is down; the API
 * and the worker recover without a restart; nothing is lost, doubled or written half.
 */
const LETTERS = Number(process.env.FAULT_PG_RESTART_LETTERS ?? 300);
const DOWN_MS = Number(process.env.FAULT_PG_DOWN_MS ?? 5_000);

jest.setTimeout(10 * 60_000);

const postgres = new PrivatePostgres();
const stack = new FaultStack();

beforeAll(async () => {
  const url = await postgres.init();
  await stack.boot({ smtp: false, databaseUrl: url });
});
afterAll(async () => {
  await stack.shutdown();
  postgres.destroy();
});

it('recovers on its own from a PostgreSQL server crash and restart', async () => {
  const citizen = newNationalId();
  const pids = stack.processes.map((p) => p.child.pid);
  const statuses = new Map<string, number>();
  const count = (s: string) => statuses.set(s, (statuses.get(s) ?? 0) + 1);
  const bad: string[] = [];
  let upAt = 0;
  let firstAfterUp = 0;
  const crash = (async () => {
    await sleep(3_000);
    postgres.crash();
    await sleep(DOWN_MS);
    postgres.start();
    upAt = Date.now();
  })();
  await inParallel(LETTERS, 8, async (i) => {
    const body = await stack.letterBody(citizen, `F4R-${String(i).padStart(6, '0')}`, i);
    const key = randomUUID();
    for (let attempt = 0; attempt < 300; attempt += 1) {
      const r = await stack.submit(body, key).catch(() => null);
      count(String(r?.status ?? 'no answer'));
      if (r?.status === 202) {
        if (upAt && !firstAfterUp) firstAfterUp = Date.now();
        return;
      }
      if (r?.status === 409) continue;
      if (!r || r.status !== 503 || !r.headers.get('retry-after'))
        bad.push(`${r?.status} ${JSON.stringify(r?.body).slice(0, 160)}`);
      await sleep(250);
    }
  });
  await crash;
  const settled = await stack.waitUntilSettled('F4R-', 120_000);
  const ledger = await stack.ledger('F4R-');
  report('4 PostgreSQL server crash and restart', {
    letters: LETTERS,
    stored: ledger.letters,
    delivered: ledger.delivered,
    lost: LETTERS - ledger.delivered,
    duplicated: ledger.letters - ledger.distinctRefs,
    halfWritten:
      ledger.missingAcceptedReceipt + ledger.missingOutbox + ledger.missingDeliveredReceipt,
    downSeconds: (DOWN_MS / 1000).toFixed(1),
    statuses: JSON.stringify(Object.fromEntries(statuses)),
    unexpected: bad.length,
    firstAcceptedAfterRestartMs: firstAfterUp ? firstAfterUp - upAt : 'none',
    settledSeconds: settled < 0 ? 'never' : (settled / 1000).toFixed(1),
    processesRestarted: stack.processes.filter(
      (p) => p.child.exitCode !== null || p.child.signalCode !== null,
    ).length,
  });
  expect(bad.slice(0, 10)).toEqual([]);
  expect(stack.processes.map((p) => p.child.pid)).toEqual(pids);
  expect(
    stack.processes.every((p) => p.child.exitCode === null && p.child.signalCode === null),
  ).toBe(true);
  expect(ledger.letters).toBe(LETTERS);
  expect(ledger.delivered).toBe(LETTERS);
  expect(ledger.letters - ledger.distinctRefs).toBe(0);
  expect(
    ledger.missingAcceptedReceipt + ledger.missingOutbox + ledger.missingDeliveredReceipt,
  ).toBe(0);
});
