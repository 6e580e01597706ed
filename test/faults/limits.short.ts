import { createAgency, type TestAgency } from '../support/agency';
import type { JsonResponse } from '../support/http';
import { FaultStack, newNationalId, report, sleep } from './support/fault-stack';

/**
 * Limits that are on: each kind of caller has its own request budget answered with 429 and
 * Retry-After, an agency has at most so many webhooks, and confirmation mails are limited per
 * mailbox and per target address, so nobody can mail-bomb a third party from our domain.
 * Small limits here, so the test reaches them in a few requests; the defaults are in libs/config.
 */
jest.setTimeout(120_000);

const LIMIT = { agency: 20, citizen: 10, auditor: 10, anonymous: 10 };
const WEBHOOKS = 3;
const MAILS_PER_MAILBOX = 3;
const MAILS_PER_ADDRESS = 2;
const WINDOW_MS = 60_000;

const stack = new FaultStack();
let busy: TestAgency;
let calm: TestAgency;

beforeAll(async () => {
  await stack.boot({
    env: {
      RATE_LIMIT_AGENCY_REQUESTS: String(LIMIT.agency),
      RATE_LIMIT_CITIZEN_REQUESTS: String(LIMIT.citizen),
      RATE_LIMIT_AUDITOR_REQUESTS: String(LIMIT.auditor),
      RATE_LIMIT_ANONYMOUS_REQUESTS: String(LIMIT.anonymous),
      RATE_LIMIT_WINDOW_MS: String(WINDOW_MS),
      WEBHOOKS_PER_AGENCY: String(WEBHOOKS),
      EMAIL_CONFIRMATIONS_PER_MAILBOX_HOUR: String(MAILS_PER_MAILBOX),
      EMAIL_CONFIRMATIONS_PER_ADDRESS_DAY: String(MAILS_PER_ADDRESS),
    },
  });
  busy = await createAgency(stack, 'Busy agency');
  calm = await createAgency(stack, 'Calm agency');
});
afterAll(() => stack.shutdown());

/** The budget is a fixed window: start a burst early in one, so it is not split over two. */
async function freshWindow(): Promise<void> {
  const into = Date.now() % WINDOW_MS;
  if (into > WINDOW_MS - 15_000) await sleep(WINDOW_MS - into + 200);
}

async function burst(n: number, send: () => Promise<JsonResponse>) {
  const answers: JsonResponse[] = [];
  for (let i = 0; i < n; i += 1) answers.push(await send());
  const refused = answers.filter((a) => a.status === 429);
  return { passed: answers.length - refused.length, refused, first429: refused[0] };
}

function expectRetryAfter(answer: JsonResponse, atMost: number) {
  expect(answer.headers.get('content-type')).toContain('application/problem+json');
  const seconds = Number(answer.headers.get('retry-after'));
  expect(seconds).toBeGreaterThanOrEqual(1);
  expect(seconds).toBeLessThanOrEqual(atMost);
  expect(answer.body.retryAfter).toBe(seconds);
}

describe('request budgets', () => {
  beforeEach(freshWindow);

  it('limits an agency and not another one', async () => {
    const { passed, refused, first429 } = await burst(LIMIT.agency + 5, () =>
      stack.api.as(busy.apiKey).get('/v1/events'),
    );
    report('limits: agency', { limit: LIMIT.agency, passed, '429': refused.length });
    expect([passed, refused.length]).toEqual([LIMIT.agency, 5]);
    expectRetryAfter(first429, 60);
    expect(first429.body).toMatchObject({ code: 'rate_limit.exceeded', status: 429 });
    expect(first429.body.detail).toContain('this agency');
    expect((await stack.api.as(calm.apiKey).get('/v1/events')).status).toBe(200);
  });

  it('limits a citizen and not another one', async () => {
    const kari = stack.api.as(await stack.citizenToken(newNationalId()));
    const ola = stack.api.as(await stack.citizenToken(newNationalId()));
    const { passed, refused, first429 } = await burst(LIMIT.citizen + 5, () =>
      kari.get('/v1/mailbox/summary'),
    );
    report('limits: citizen', { limit: LIMIT.citizen, passed, '429': refused.length });
    expect([passed, refused.length]).toEqual([LIMIT.citizen, 5]);
    expectRetryAfter(first429, 60);
    expect(first429.body.detail).toContain('this person');
    expect((await ola.get('/v1/mailbox/summary')).status).toBe(200);
  });

  it('limits an auditor', async () => {
    const auditor = stack.api.as(await stack.cli(['dev', 'token', '--auditor', 'Riksrevisjonen']));
    const { passed, refused, first429 } = await burst(LIMIT.auditor + 3, () =>
      auditor.get('/v1/audit/tree-heads'),
    );
    expect([passed, refused.length]).toEqual([LIMIT.auditor, 3]);
    expectRetryAfter(first429, 60);
  });

  it('limits unauthenticated requests per client address, counting failed credentials too', async () => {
    // The test runs on loopback, a trusted proxy by default: X-Forwarded-For names the client.
    const from = (address: string, token?: string) => (path: string) =>
      (token ? stack.api.as(token) : stack.api).request('GET', path, undefined, {
        'x-forwarded-for': address,
      });
    const client = from('192.0.2.10');
    const half = LIMIT.anonymous / 2;
    const publicRoute = await burst(half, () => client('/v1/platform/keys'));
    const badKey = await burst(half + 3, () =>
      from('192.0.2.10', 'pk_not-a-key-anyone-was-given')('/v1/events'),
    );
    report('limits: anonymous', {
      limit: LIMIT.anonymous,
      passed: publicRoute.passed + badKey.passed,
      '429': badKey.refused.length,
    });
    expect(publicRoute.passed).toBe(half);
    expect([badKey.passed, badKey.refused.length]).toEqual([half, 3]);
    expectRetryAfter(badKey.first429, 60);
    expect(badKey.first429.body.detail).toContain('this client address');
    expect((await client('/v1/platform/keys')).status).toBe(429);
    // Another address, and an authenticated caller from the same one, have budgets of their own;
    // health probes have none.
    expect((await from('192.0.2.11')('/v1/platform/keys')).status).toBe(200);
    expect((await from('192.0.2.10', calm.apiKey)('/v1/events')).status).toBe(200);
    for (let i = 0; i < 3; i += 1) expect((await client('/health/ready')).status).toBe(200);
  });
});

it('caps the webhooks of an agency at the configured number, under concurrent creation too', async () => {
  const agency = stack.api.as((await createAgency(stack, 'Webhook agency')).apiKey);
  const create = (i: number) =>
    agency.post('/v1/webhooks', { url: `http://127.0.0.1:9/hook/${i}` });
  const answers = await Promise.all(Array.from({ length: WEBHOOKS + 2 }, (_, i) => create(i)));
  const statuses = answers.map((a) => a.status).sort();
  expect(statuses).toEqual([...Array<number>(WEBHOOKS).fill(201), 409, 409]);
  const refused = answers.find((a) => a.status === 409)!;
  expect(refused.headers.get('content-type')).toContain('application/problem+json');
  expect(refused.body).toMatchObject({ code: 'webhook.limit_reached', limit: WEBHOOKS });
  expect(refused.body.detail).toContain('delete one first');
  const listed = await agency.get('/v1/webhooks');
  expect(listed.body.items).toHaveLength(WEBHOOKS);
  expect((await agency.request('DELETE', `/v1/webhooks/${listed.body.items[0].id}`)).status).toBe(
    204,
  );
  expect((await create(99)).status).toBe(201);
});

describe('confirmation mails', () => {
  const confirmations = (address: RegExp) =>
    stack.sink!.mails.filter((m) => address.test(m.to) && /Confirm|Bekreft/.test(m.subject));
  const waitForMails = (address: RegExp, n: number) =>
    stack.api.waitFor(
      async () => confirmations(address).length >= n,
      `${n} mails to ${address.source}`,
    );

  it('sends a mailbox at most the configured number an hour, however often the address changes', async () => {
    const me = stack.api.as(await stack.citizenToken(newNationalId()));
    for (let i = 1; i <= MAILS_PER_MAILBOX; i += 1) {
      const put = await me.request('PUT', '/v1/mailbox/settings', {
        notificationEmail: `cycle-${i}@fault.test`,
      });
      expect(put.status).toBe(200);
      await waitForMails(new RegExp(`^cycle-${i}@`), 1);
    }
    const next = await me.request('PUT', '/v1/mailbox/settings', {
      notificationEmail: 'cycle-next@fault.test',
    });
    expect(next.status).toBe(429);
    expect(next.body.code).toBe('email_confirmation.too_many_for_mailbox');
    expectRetryAfter(next, 3_600);
    expect(Number(next.headers.get('retry-after'))).toBeGreaterThan(3_500);
    const resend = await me.post('/v1/mailbox/settings/email-confirmation', {});
    expect([resend.status, resend.body.code]).toEqual([
      429,
      'email_confirmation.too_many_for_mailbox',
    ]);
    // Refused before anything changed: the last address stays, and no mail went to the new one.
    expect((await me.get('/v1/mailbox/settings')).body.notificationEmail).toBe(
      `cycle-${MAILS_PER_MAILBOX}@fault.test`,
    );
    await sleep(500);
    expect(confirmations(/^cycle-/)).toHaveLength(MAILS_PER_MAILBOX);
  });

  it('sends one address at most the configured number a day, whichever mailboxes ask', async () => {
    for (let i = 0; i < MAILS_PER_ADDRESS; i += 1) {
      const me = stack.api.as(await stack.citizenToken(newNationalId()));
      const put = await me.request('PUT', '/v1/mailbox/settings', {
        notificationEmail: 'victim@fault.test',
      });
      expect(put.status).toBe(200);
      await waitForMails(/^victim(\+.*)?@fault\.test$/i, i + 1);
    }
    const attacker = stack.api.as(await stack.citizenToken(newNationalId()));
    for (const address of ['victim@fault.test', 'Victim+again@FAULT.test']) {
      const put = await attacker.request('PUT', '/v1/mailbox/settings', {
        notificationEmail: address,
      });
      expect([put.status, put.body.code]).toEqual([429, 'email_confirmation.too_many_for_address']);
      expectRetryAfter(put, 86_400);
      expect(Number(put.headers.get('retry-after'))).toBeGreaterThan(86_000);
    }
    await sleep(500);
    expect(confirmations(/^victim(\+.*)?@fault\.test$/i)).toHaveLength(MAILS_PER_ADDRESS);
  });
});
