import { randomUUID } from 'node:crypto';
import { FaultStack, inParallel, newNationalId, report, sleep } from './support/fault-stack';

/**
 * Scenario 8 (issue 7): SIGTERM under load. A worker drains (finishes its jobs, exits 0) and the
 * API finishes the requests it had already received; nothing stalls and nothing is done twice.
 */
const LETTERS = Number(process.env.FAULT_SHUTDOWN_LETTERS ?? 600);

jest.setTimeout(10 * 60_000);

const stack = new FaultStack();

beforeAll(async () => {
  await stack.boot({ smtp: false, workers: 2 });
});
afterAll(() => stack.shutdown());

it('drains workers and finishes in-flight requests on SIGTERM', async () => {
  const citizen = newNationalId();
  const inFlight = new Map<number, number>(); // request number → start time
  let serial = 0;
  let sigtermAt = Infinity;
  let inFlightFailed = 0;
  let refusedAfter = 0;
  let submitted = 0;
  const workerExits: { code: number | null; ms: number }[] = [];

  const load = inParallel(LETTERS, 10, async (i) => {
    const body = await stack.letterBody(citizen, `F8-${String(i).padStart(6, '0')}`, i);
    const key = randomUUID();
    for (;;) {
      const n = (serial += 1);
      const started = Date.now();
      inFlight.set(n, started);
      const r = await stack.submit(body, key).catch(() => null);
      inFlight.delete(n);
      if (r?.status === 202) {
        submitted += 1;
        return;
      }
      if (started < sigtermAt) {
        // Sent before SIGTERM: it should have been answered.
        if (!r || r.status >= 500) inFlightFailed += 1;
      } else refusedAfter += 1;
      await sleep(200);
    }
  });

  await sleep(3_000);
  // A worker first: it must finish the jobs in hand and exit 0.
  const [victim] = stack.workers();
  const t0 = Date.now();
  victim.child.kill('SIGTERM');
  const code = await victim.stop();
  workerExits.push({ code, ms: Date.now() - t0 });
  stack.startWorker();

  await sleep(2_000);
  // Then the API, with requests in flight.
  const api = stack.apiProcess();
  const inFlightAtSigterm = inFlight.size;
  sigtermAt = Date.now();
  api.child.kill('SIGTERM');
  const apiCode = await api.stop();
  const apiExitMs = Date.now() - sigtermAt;
  await stack.restartApi();
  sigtermAt = Infinity;
  await load;

  const settled = await stack.waitUntilSettled('F8-', 120_000);
  // And every worker at the end, in turn, with work still queued.
  const ledger = await stack.ledger('F8-');
  const failedJobs = stack.processes
    .filter((p) => p.name === 'worker')
    .map((p) => (p.output().match(/job failed/g) ?? []).length)
    .reduce((a, b) => a + b, 0);
  report('8 graceful shutdown', {
    letters: LETTERS,
    submitted,
    delivered: ledger.delivered,
    lost: LETTERS - ledger.delivered,
    duplicated: ledger.letters - ledger.distinctRefs,
    duplicateReceipts: ledger.duplicateReceipts,
    workerExitCode: String(workerExits[0].code),
    workerDrainMs: workerExits[0].ms,
    apiExitCode: String(apiCode),
    apiExitMs,
    requestsInFlightAtSigterm: inFlightAtSigterm,
    inFlightFailed,
    refusedAfterSigterm: refusedAfter,
    failedJobs,
    settledSeconds: settled < 0 ? 'never' : (settled / 1000).toFixed(1),
  });
  expect(workerExits[0].code).toBe(0);
  expect(workerExits[0].ms).toBeLessThan(30_000);
  expect(apiCode === 0 || apiCode === null).toBe(true);
  expect(inFlightFailed).toBe(0);
  expect(ledger.letters).toBe(LETTERS);
  expect(ledger.delivered).toBe(LETTERS);
  expect(ledger.letters - ledger.distinctRefs).toBe(0);
  expect(ledger.duplicateReceipts).toBe(0);
  expect(failedJobs).toBe(0);
});
