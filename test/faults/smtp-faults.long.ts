import { retryDelayMs } from '../../libs/notifications/src/retry-delay';
import { FaultStack, report, sleep } from './support/fault-stack';

/**
 * Scenario 5 (issue 7): the mail server answers 421 a few times and then 250; answers 550; is
 * down for a while. Retries come with growing gaps, 550 is final with notification_failed, the
 * backlog drains once the server is back, and delivery is never held back by mail.
 */
const DOWN_MS = Number(process.env.FAULT_SMTP_DOWN_MS ?? 20_000);
/**
 * The production doubling in miniature: 400 ms, growing, but capped so that the backlog drains
 * soon after the server is back (at most a twentieth of the outage later), and with enough
 * attempts to outlast the outage by half again.
 */
const BACKOFF_MS = 400;
const BACKOFF_MAX_MS = Math.max(5_000, Math.round(DOWN_MS / 20));
const ATTEMPTS = attemptsSpanning(1.5 * DOWN_MS);
jest.setTimeout(DOWN_MS + 10 * 60_000);

function attemptsSpanning(ms: number): number {
  let attempts = 1;
  for (let spanned = 0; spanned < ms; attempts += 1)
    spanned += retryDelayMs(attempts, BACKOFF_MS, BACKOFF_MAX_MS);
  return attempts;
}

const stack = new FaultStack();

beforeAll(async () => {
  await stack.boot({
    env: {
      NOTIFY_BACKOFF_MS: String(BACKOFF_MS),
      NOTIFY_BACKOFF_MAX_MS: String(BACKOFF_MAX_MS),
      NOTIFY_ATTEMPTS: String(ATTEMPTS),
      RECONCILE_INTERVAL_MS: '2000',
    },
  });
});
afterAll(() => stack.shutdown());

async function send(nationalId: string, title: string): Promise<string> {
  const r = await stack.submit(await stack.letterBody(nationalId, title));
  expect(r.status).toBe(202);
  return r.body.id as string;
}

async function receipt(letterId: string, type: string) {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    const [row] = await stack.query<{ payload: { reason?: { code: string; detail: string } } }>(
      `SELECT payload FROM receipts WHERE letter_id = $1 AND type = $2 AND kind = 'notify'`,
      [letterId, type],
    );
    if (row) return row.payload;
    await sleep(200);
  }
  return null;
}

async function state(letterId: string): Promise<string> {
  const [row] = await stack.query<{ state: string }>('SELECT state FROM letters WHERE id = $1', [
    letterId,
  ]);
  return row.state;
}

it('retries 421 with growing gaps, stops at 550, and drains the backlog after an outage', async () => {
  const sink = stack.sink!;
  const kari = await stack.confirmedCitizen('kari@fault.test');
  const ola = await stack.confirmedCitizen('ola@fault.test');

  // 421 three times, then 250.
  sink.attemptsAt.length = 0;
  sink.mode = { kind: 'fail', code: 421, times: 3 };
  const tempfailed = await send(kari, 'F5-tempfail');
  const notified = await receipt(tempfailed, 'notified');
  const gaps = sink.attemptsAt.slice(1).map((t, i) => t - sink.attemptsAt[i]);
  const tempfailMails = sink.mails.filter((m) => m.text.includes('F5-tempfail')).length;

  // 550: final.
  sink.mode = { kind: 'fail', code: 550 };
  sink.attemptsAt.length = 0;
  const refused = await send(ola, 'F5-refused');
  const failed = await receipt(refused, 'notification_failed');
  await sleep(3_000);
  const refusedAttempts = sink.attemptsAt.length;
  const refusedState = await state(refused);
  sink.mode = { kind: 'accept' };

  // Down, then up: delivery goes on; the backlog drains.
  await sink.down();
  const downAt = Date.now();
  const backlog: string[] = [];
  for (let i = 0; i < 20; i += 1)
    backlog.push(await send(i % 2 ? kari : ola, `F5-backlog-${String(i).padStart(2, '0')}`));
  let deliveredWhileDown = 0;
  const deliverDeadline = Date.now() + 30_000;
  while (Date.now() < deliverDeadline) {
    deliveredWhileDown = 0;
    for (const id of backlog) if ((await state(id)) === 'delivered') deliveredWhileDown += 1;
    if (deliveredWhileDown === backlog.length) break;
    await sleep(300);
  }
  const wait = DOWN_MS - (Date.now() - downAt);
  if (wait > 0) await sleep(wait);
  await sink.up();
  const upAt = Date.now();
  let drained = 0;
  const drainDeadline = Date.now() + 180_000;
  while (Date.now() < drainDeadline) {
    const [row] = await stack.query<{ n: string }>(
      `SELECT count(*) AS n FROM receipts WHERE letter_id = ANY($1) AND type = 'notified'`,
      [backlog],
    );
    drained = Number(row.n);
    if (drained === backlog.length) break;
    await sleep(300);
  }
  const drainSeconds = (Date.now() - upAt) / 1000;
  const backlogMails = sink.mails.filter((m) => /F5-backlog-\d\d/.test(m.text));
  const perTitle = new Map<string, number>();
  for (const m of backlogMails) {
    const t = /F5-backlog-\d\d/.exec(m.text)![0];
    perTitle.set(t, (perTitle.get(t) ?? 0) + 1);
  }
  const duplicates = [...perTitle.values()].filter((n) => n > 1).length;

  report('5 SMTP faults', {
    backoffMs: BACKOFF_MS,
    backoffMaxMs: BACKOFF_MAX_MS,
    attempts: ATTEMPTS,
    tempfailAttempts: gaps.length + 1,
    retryGapsMs: gaps.join('/'),
    tempfailNotified: notified ? 'yes' : 'no',
    tempfailMails,
    refusedFinalReason: failed?.reason?.code ?? 'none',
    refusedAttempts,
    refusedLetterState: refusedState,
    smtpDownSeconds: ((upAt - downAt) / 1000).toFixed(1),
    deliveredWhileMailDown: `${deliveredWhileDown}/${backlog.length}`,
    backlogNotified: `${drained}/${backlog.length}`,
    backlogDrainSeconds: drainSeconds.toFixed(1),
    emailsDuplicated: duplicates,
  });
  expect(notified).not.toBeNull();
  expect(tempfailMails).toBe(1);
  expect(gaps.length).toBe(3);
  for (let i = 1; i < gaps.length; i += 1) expect(gaps[i]).toBeGreaterThan(gaps[i - 1]);
  expect(failed?.reason?.code).toBe('notification.rejected');
  expect(refusedAttempts).toBe(1);
  expect(refusedState).toBe('delivered');
  expect(deliveredWhileDown).toBe(backlog.length);
  expect(drained).toBe(backlog.length);
  expect(duplicates).toBe(0);
  expect(perTitle.size).toBe(backlog.length);
});
