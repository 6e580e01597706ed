/**
 * When to try a request again, and how long to wait first. Pure, so that the rules can be tested
 * without a clock: the client feeds it the answer (or the network error) and sleeps as told.
 */

export interface RetryPolicy {
  /** Attempts in all, the first included (1: never retry). */
  maxAttempts: number;
  /** The first backoff; each retry doubles it, up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** The longest Retry-After that is honoured; a server asking for more fails the call instead. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 6,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 120_000,
};

/** What one attempt gave: an HTTP answer (status, headers, the problem's code) or no answer. */
export type AttemptOutcome =
  | { kind: 'response'; status: number; retryAfter: string | null; code?: string }
  | { kind: 'network' };

/**
 * RFC 9110 §10.2.3: Retry-After is either delay-seconds or an HTTP-date. Returns milliseconds
 * from `now`, or null when the header is absent or unreadable (then our own backoff applies).
 */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (value === null) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - now);
}

/**
 * Whether an outcome is worth another attempt with the same Idempotency-Key. 429 and 503 say
 * "later"; a network error leaves us not knowing whether the server stored the letter, which the
 * same key makes safe to find out; 409 `idempotency.in_flight` means the first attempt's
 * transaction is still open. Every other 4xx is the request's own fault and would fail again,
 * and 500 or 502 could be a bug that a retry storm makes worse.
 */
export function isRetryable(outcome: AttemptOutcome): boolean {
  if (outcome.kind === 'network') return true;
  if (outcome.status === 429 || outcome.status === 503) return true;
  return outcome.status === 409 && outcome.code === 'idempotency.in_flight';
}

/**
 * Milliseconds to wait before attempt `attempt + 1` (attempt counts from 1), or null to give up.
 * Backoff is exponential with full jitter (a random wait between 0 and the cap), so that many
 * clients refused at once do not come back at once; a Retry-After from the server is a floor.
 */
export function retryDelay(
  outcome: AttemptOutcome,
  attempt: number,
  policy: RetryPolicy,
  now: number,
  random: () => number = Math.random,
): number | null {
  if (!isRetryable(outcome) || attempt >= policy.maxAttempts) return null;
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  const backoff = Math.floor(random() * cap);
  if (outcome.kind === 'network') return backoff;
  const asked = parseRetryAfter(outcome.retryAfter, now);
  if (asked === null) return backoff;
  if (asked > policy.maxRetryAfterMs) return null;
  return Math.max(asked, backoff);
}
