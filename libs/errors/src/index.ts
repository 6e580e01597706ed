/**
 * A failure the caller can act on, with a stable machine-readable code (`letter.not_found`,
 * `openpgp.not_encrypted_to_platform`). The HTTP edge maps it to RFC 9457 problem+json.
 */
export class DomainError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail);
    this.name = 'DomainError';
  }
}

export const notFound = (what: string): DomainError =>
  new DomainError(404, `${what}.not_found`, `No such ${what.replace(/_/g, ' ')}`);

export const invalid = (
  code: string,
  detail: string,
  extra?: Record<string, unknown>,
): DomainError => new DomainError(400, code, detail, extra);

export const conflict = (code: string, detail: string): DomainError =>
  new DomainError(409, code, detail);

/**
 * Another request holds what this one needs (the same Idempotency-Key, still in its
 * transaction): 409 with Retry-After, since asking again shortly gets the first one's answer.
 */
export class BusyError extends DomainError {
  constructor(
    code: string,
    detail: string,
    readonly retryAfterSeconds = 1,
  ) {
    super(409, code, detail, { retryAfter: retryAfterSeconds });
    this.name = 'BusyError';
  }
}

/** The same Idempotency-Key is in a request whose transaction is still open. */
export const idempotencyKeyBusy = (): BusyError =>
  new BusyError(
    'idempotency.in_flight',
    'A request with this Idempotency-Key is still being processed; ask again shortly for its answer',
  );

/** A limit on how often something may happen was reached; the edge answers 429 with Retry-After. */
export class RateLimitedError extends DomainError {
  constructor(
    code: string,
    detail: string,
    readonly retryAfterSeconds: number,
  ) {
    super(429, code, detail, { retryAfter: retryAfterSeconds });
    this.name = 'RateLimitedError';
  }
}

/** The service depends on something that is down right now; the client should retry. */
export class UnavailableError extends Error {
  constructor(
    message: string,
    readonly retryAfterSeconds = 5,
  ) {
    super(message);
    this.name = 'UnavailableError';
  }
}
export { loggedError, type LoggedError } from './log-error';
export { problem, type Problem } from './problem-details';
