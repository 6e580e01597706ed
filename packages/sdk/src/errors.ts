import type { components } from './api-types';

/** RFC 9457 problem details as the API sends them, with a stable `code`. */
export type Problem = components['schemas']['Problem'];

/** Anything the SDK refuses or the API refused. */
export class PostkasseError extends Error {
  override readonly name: string = 'PostkasseError';
}

/** One line from an error answer: the problem's code and detail, else the start of the body. */
export function describeFailure(status: number, body: string): string {
  try {
    const problem = JSON.parse(body) as Partial<Problem>;
    const what = [problem.code, problem.detail ?? problem.title].filter(Boolean).join(': ');
    if (what) return `${status} ${what}`;
  } catch {
    // not JSON
  }
  return `${status} ${body.replace(/\s+/g, ' ').slice(0, 200)}`;
}

function problemOf(body: string): Problem | null {
  try {
    const value: unknown = JSON.parse(body);
    return typeof value === 'object' && value !== null && 'status' in value
      ? (value as Problem)
      : null;
  } catch {
    return null;
  }
}

/** The API answered with a status other than 2xx (after any retries). */
export class ApiError extends PostkasseError {
  override readonly name = 'ApiError';
  readonly problem: Problem | null;

  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(`${method} ${path}: ${describeFailure(status, body)}`);
    this.problem = problemOf(body);
  }

  /** The problem's stable code (`letter.not_found`, `idempotency.key_reused`), if any. */
  get code(): string | undefined {
    return this.problem?.code;
  }
}

/** No answer from the API (refused connection, reset, DNS), after any retries. */
export class NetworkError extends PostkasseError {
  override readonly name = 'NetworkError';
  /** The system's code (ECONNREFUSED, ENOTFOUND) or message: why there was no answer. */
  readonly reason: string;

  constructor(
    readonly url: string,
    cause: unknown,
  ) {
    const inner = (cause as { cause?: { code?: string; message?: string } }).cause;
    const reason = inner?.code ?? inner?.message ?? (cause as Error).message ?? String(cause);
    super(`cannot reach ${url}: ${reason}`, { cause });
    this.reason = reason;
  }
}
