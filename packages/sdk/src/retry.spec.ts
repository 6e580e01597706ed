import { ApiError, NetworkError } from './errors';
import { Transport } from './http';
import { DEFAULT_RETRY_POLICY, parseRetryAfter, retryDelay } from './retry';

const NOW = Date.parse('2030-01-31T09:00:00Z');

interface Sent {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
}

/** A fetch that answers from a script and records what it was sent. */
function scripted(answers: (Response | Error)[]) {
  const sent: Sent[] = [];
  const fetch = async (url: string | URL | Request, init?: RequestInit) => {
    sent.push({
      url: String(url),
      method: init?.method ?? 'GET',
      headers: init?.headers as Record<string, string>,
      body: init?.body as string | undefined,
    });
    const next = answers.shift();
    if (!next) throw new Error('the test sent more requests than it scripted');
    if (next instanceof Error) throw next;
    return next;
  };
  return { sent, fetch: fetch as typeof globalThis.fetch };
}

const problem = (status: number, code: string, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify({ type: 'about:blank', title: 't', status, detail: 'd', code }), {
    status,
    headers: { 'content-type': 'application/problem+json', ...headers },
  });
const accepted = () =>
  new Response(JSON.stringify({ id: 'l1', state: 'accepted' }), { status: 202 });
const refused = () =>
  Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });

function transport(answers: (Response | Error)[], random = () => 0.5) {
  const script = scripted(answers);
  const waits: number[] = [];
  const http = new Transport({
    baseUrl: 'https://api.example/',
    apiKey: 'pk_test',
    fetch: script.fetch,
    sleep: async (ms) => void waits.push(ms),
    now: () => NOW,
    random,
  });
  const post = () =>
    http.json('POST', '/v1/letters', { body: { title: 'Vedtak' }, idempotencyKey: 'key-1' });
  return { http, post, sent: script.sent, waits };
}

describe('Retry-After', () => {
  it('reads delay-seconds and HTTP-dates, and ignores what it cannot read', () => {
    expect(parseRetryAfter('7', NOW)).toBe(7000);
    expect(parseRetryAfter(new Date(NOW + 12_000).toUTCString(), NOW)).toBe(12_000);
    expect(parseRetryAfter(new Date(NOW - 5_000).toUTCString(), NOW)).toBe(0);
    expect(parseRetryAfter('soon', NOW)).toBeNull();
    expect(parseRetryAfter(null, NOW)).toBeNull();
  });
});

describe('the backoff', () => {
  const busy = { kind: 'response', status: 503, retryAfter: null } as const;

  it('doubles its cap with each attempt, up to the maximum, with full jitter', () => {
    const top = () => 0.999999;
    const caps = [1, 2, 3, 4, 5].map((n) => retryDelay(busy, n, DEFAULT_RETRY_POLICY, NOW, top));
    expect(caps).toEqual([499, 999, 1999, 3999, 7999]);
    const late = retryDelay(busy, 5, { ...DEFAULT_RETRY_POLICY, maxDelayMs: 3000 }, NOW, top);
    expect(late).toBe(2999);
    expect(retryDelay(busy, 3, DEFAULT_RETRY_POLICY, NOW, () => 0)).toBe(0);
  });

  it('waits at least as long as Retry-After asks, and gives up when it asks for too long', () => {
    const asked = { kind: 'response', status: 429, retryAfter: '3' } as const;
    expect(retryDelay(asked, 1, DEFAULT_RETRY_POLICY, NOW, () => 0.5)).toBe(3000);
    const tooLong = { ...asked, retryAfter: '3600' };
    expect(retryDelay(tooLong, 1, DEFAULT_RETRY_POLICY, NOW)).toBeNull();
  });

  it('stops after the last attempt', () => {
    expect(
      retryDelay(busy, DEFAULT_RETRY_POLICY.maxAttempts, DEFAULT_RETRY_POLICY, NOW),
    ).toBeNull();
  });
});

describe('a submission that meets refusals', () => {
  it('retries 429 and 503 with the same Idempotency-Key and the same bytes, honouring Retry-After', async () => {
    const { post, sent, waits } = transport([
      problem(429, 'rate_limited', { 'retry-after': '2' }),
      problem(503, 'database.unavailable', { 'retry-after': new Date(NOW + 5000).toUTCString() }),
      accepted(),
    ]);
    await expect(post()).resolves.toEqual({ id: 'l1', state: 'accepted' });
    expect(sent).toHaveLength(3);
    expect(new Set(sent.map((s) => s.headers['idempotency-key']))).toEqual(new Set(['key-1']));
    expect(new Set(sent.map((s) => s.body))).toEqual(new Set(['{"title":"Vedtak"}']));
    expect(sent[0]).toMatchObject({ url: 'https://api.example/v1/letters', method: 'POST' });
    expect(sent[0].headers.authorization).toBe('Bearer pk_test');
    expect(waits).toEqual([2000, 5000]);
  });

  it('retries a network error and a 409 for a key still in flight', async () => {
    const { post, sent, waits } = transport([
      refused(),
      problem(409, 'idempotency.in_flight'),
      accepted(),
    ]);
    await expect(post()).resolves.toMatchObject({ id: 'l1' });
    expect(sent).toHaveLength(3);
    expect(waits).toEqual([250, 500]);
  });

  it.each([
    [400, 'letter.invalid'],
    [401, 'auth.unauthenticated'],
    [409, 'recipient.reserved_end_to_end'],
    [422, 'idempotency.key_reused'],
    [500, 'internal'],
  ])('never retries a %i (%s)', async (status, code) => {
    const { post, sent } = transport([problem(status, code), accepted()]);
    const error = await post().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      status,
      code,
      message: `POST /v1/letters: ${status} ${code}: d`,
    });
    expect(sent).toHaveLength(1);
  });

  it('gives up after the last attempt with the last answer', async () => {
    const answers = Array.from({ length: DEFAULT_RETRY_POLICY.maxAttempts }, () =>
      problem(503, 'database.unavailable'),
    );
    const { post, sent } = transport(answers);
    await expect(post()).rejects.toMatchObject({ status: 503 });
    expect(sent).toHaveLength(DEFAULT_RETRY_POLICY.maxAttempts);
  });

  it('names the unreachable address when no attempt got an answer', async () => {
    const answers = Array.from({ length: DEFAULT_RETRY_POLICY.maxAttempts }, refused);
    const { post } = transport(answers);
    const error = await post().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).toMatchObject({ reason: 'ECONNREFUSED', url: 'https://api.example/v1/letters' });
  });

  it('does not repeat a request that is not safe to repeat after a network error', async () => {
    const { http, sent } = transport([refused(), accepted()]);
    await expect(http.json('POST', '/v1/webhooks', { body: { url: 'x' } })).rejects.toBeInstanceOf(
      NetworkError,
    );
    expect(sent).toHaveLength(1);
  });
});
