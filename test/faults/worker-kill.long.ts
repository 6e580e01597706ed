import { randomUUID } from 'node:crypto';
import { FaultStack, emailsPerTitle, inParallel, report, sleep } from './support/fault-stack';

/**
 * Scenario 1 (issue 7): kill -9 a worker every few seconds while letters flow through two worker
 * processes. Nothing may be lost or doubled, and at most one email goes out per letter and kind.
 */
const LETTERS = Number(process.env.FAULT_LETTERS ?? 2_000);
const KILL_EVERY_MS = Number(process.env.FAULT_KILL_EVERY_MS ?? 3_000);
/**
 * Letters per second offered; 0 submits as fast as 12 clients can. At a steady rate the two
 * workers can carry, the criterion measures recovery from the kills rather than the time to
 * work off a backlog that saturated submission built up.
 */
const RATE = Number(process.env.FAULT_RATE ?? 0);
const CITIZENS = 10;

jest.setTimeout(15 * 60_000);

const stack = new FaultStack();

beforeAll(async () => {
  await stack.boot({ workers: 2, env: { WORKER_CONCURRENCY: '8' } });
});
afterAll(() => stack.shutdown());

it('loses and doubles nothing while workers are killed with SIGKILL', async () => {
  const citizens: string[] = [];
  for (let i = 0; i < CITIZENS; i += 1)
    citizens.push(await stack.confirmedCitizen(`c${i}@fault.test`));

  let submitting = true;
  let kills = 0;
  let lastKillAt = Date.now();
  const killer = (async () => {
    while (submitting) {
      await sleep(KILL_EVERY_MS);
      const workers = stack.workers();
      const victim = workers[kills % workers.length];
      if (victim) {
        victim.child.kill('SIGKILL');
        await victim.stop();
        kills += 1;
        lastKillAt = Date.now();
      }
      while (stack.workers().length < 2) stack.startWorker();
    }
  })();

  const started = Date.now();
  let accepted = 0;
  let retries = 0;
  let fivexx = 0;
  await inParallel(LETTERS, 12, async (i) => {
    if (RATE > 0) await sleep(started + (1000 * i) / RATE - Date.now());
    const title = `F1-${String(i).padStart(6, '0')}`;
    const body = await stack.letterBody(citizens[i % CITIZENS], title, i);
    const key = randomUUID();
    for (;;) {
      const r = await stack.submit(body, key).catch(() => null);
      if (r?.status === 202) {
        accepted += 1;
        return;
      }
      if (r && r.status >= 500) fivexx += 1;
      retries += 1;
      await sleep(200);
    }
  });
  const submitSeconds = (Date.now() - started) / 1000;
  // Keep killing a little longer so the last letters, too, meet a dying worker.
  await sleep(2 * KILL_EVERY_MS);
  submitting = false;
  await killer;

  const settledMs = await stack.waitUntilSettled(
    'F1-',
    Number(process.env.FAULT_SETTLE_MS ?? 120_000),
  );
  const settledAfterLastKill = settledMs < 0 ? -1 : (Date.now() - lastKillAt) / 1000;
  const ledger = await stack.ledger('F1-');
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const sent = await stack.query<{ n: string }>(
      `SELECT count(*) AS n FROM notification_sends WHERE kind = 'notify' AND state IN ('sent','failed')`,
    );
    if (Number(sent[0].n) >= ledger.delivered) break;
    await sleep(500);
  }
  const perTitle = emailsPerTitle(stack.sink!.mails, /F1-\d{6}/);
  const emailsDuplicated = [...perTitle.values()].filter((n) => n > 1).length;
  const [sends] = await stack.query<{ sent: string; failed: string; stuck: string }>(
    `SELECT count(*) FILTER (WHERE state = 'sent') AS sent,
            count(*) FILTER (WHERE state = 'failed') AS failed,
            count(*) FILTER (WHERE state IN ('pending','sending')) AS stuck
       FROM notification_sends WHERE kind = 'notify'`,
  );
  const figures = {
    letters: LETTERS,
    offeredPerSecond: RATE > 0 ? RATE : 'unpaced',
    accepted,
    delivered: ledger.delivered,
    lost: LETTERS - ledger.delivered - ledger.rejected,
    rejected: ledger.rejected,
    duplicated: ledger.letters - ledger.distinctRefs,
    duplicateReceipts: ledger.duplicateReceipts,
    missingReceipts: ledger.missingAcceptedReceipt + ledger.missingDeliveredReceipt,
    kills,
    submitSeconds,
    deliveredWithinSecondsOfLastKill:
      settledAfterLastKill < 0 ? 'never' : settledAfterLastKill.toFixed(1),
    emailsSent: stack.sink!.mails.filter((m) => /F1-\d{6}/.test(m.text)).length,
    emailsDuplicated,
    emailsMissing: ledger.delivered - perTitle.size,
    notifySendsClaimedNotSent: Number(sends.stuck),
    notifyFailed: Number(sends.failed),
    retries,
    '5xx': fivexx,
  };
  report('1 worker kill -9', figures);
  if (settledMs < 0) {
    report('1 diagnosis', {
      stillAccepted: ledger.accepted,
      unsequenced: ledger.unsequenced,
      deliver: JSON.stringify(await stack.queueCounts('deliver')),
      notify: JSON.stringify(await stack.queueCounts('notify')),
    });
    const activity = await stack.query(
      `SELECT pid, state, wait_event_type, wait_event, now() - xact_start AS xact_age,
              left(query, 120) AS query
         FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
      [stack.databaseName],
    );
    process.stdout.write(JSON.stringify(activity, null, 1));
    for (const w of stack.workers()) process.stdout.write(w.output().slice(-4_000));
  }
  expect(accepted).toBe(LETTERS);
  expect(settledMs).toBeGreaterThanOrEqual(0);
  expect(settledAfterLastKill).toBeLessThanOrEqual(120);
  expect(ledger.letters).toBe(LETTERS);
  expect(ledger.delivered).toBe(LETTERS);
  expect(ledger.letters - ledger.distinctRefs).toBe(0);
  expect(ledger.duplicateReceipts).toBe(0);
  expect(ledger.missingAcceptedReceipt + ledger.missingDeliveredReceipt).toBe(0);
  expect(emailsDuplicated).toBe(0);
  expect(kills).toBeGreaterThan(2);
});
