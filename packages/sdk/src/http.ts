import { ApiError, NetworkError } from './errors';
import { DEFAULT_RETRY_POLICY, retryDelay, type AttemptOutcome, type RetryPolicy } from './retry';

export interface ClientOptions {
  /** Where the API is, e.g. `https://api.postkasse.example` (no trailing `/v1`). */
  baseUrl: string;
  /** The agency's API key (`pk_…`). */
  apiKey?: string;
  retry?: Partial<RetryPolicy>;
  /** Injected for tests and for runtimes with their own fetch; the global one by default. */
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  random?: () => number;
}

export interface RequestOptions {
  body?: unknown;
  /** Sent unchanged on every attempt: what makes a retried POST safe. */
  idempotencyKey?: string;
  /**
   * Whether a repeat cannot do harm (GET, DELETE, an idempotency key, a lookup). Requests that
   * are not are retried only on 429, which the API answers before doing any work.
   */
  repeatable?: boolean;
}

/** JSON over HTTP with the agency's key and the retry policy; one instance per client. */
export class Transport {
  readonly baseUrl: string;
  private readonly policy: RetryPolicy;
  private readonly fetch: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(private readonly options: ClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
  }

  async json<T>(method: string, path: string, request: RequestOptions = {}): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.options.apiKey) headers.authorization = `Bearer ${this.options.apiKey}`;
    if (request.idempotencyKey) headers['idempotency-key'] = request.idempotencyKey;
    // Serialised once: the API compares the SHA-256 of the raw bytes of a replay, so every
    // attempt must send exactly the same bytes.
    let body: string | undefined;
    if (request.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(request.body);
    }
    const repeatable =
      request.repeatable ?? (method === 'GET' || method === 'DELETE' || !!request.idempotencyKey);
    const url = `${this.baseUrl}${path}`;
    for (let attempt = 1; ; attempt += 1) {
      let response: Response;
      try {
        response = await this.fetch(url, { method, headers, body });
      } catch (error) {
        const wait = repeatable ? this.delay({ kind: 'network' }, attempt) : null;
        if (wait === null) throw new NetworkError(url, error);
        await this.sleep(wait);
        continue;
      }
      const text = await response.text();
      if (response.ok) return (text ? JSON.parse(text) : undefined) as T;
      const failure = new ApiError(method, path, response.status, text);
      const outcome: AttemptOutcome = {
        kind: 'response',
        status: response.status,
        retryAfter: response.headers.get('retry-after'),
        code: failure.code,
      };
      const wait = repeatable || response.status === 429 ? this.delay(outcome, attempt) : null;
      if (wait === null) throw failure;
      await this.sleep(wait);
    }
  }

  private delay(outcome: AttemptOutcome, attempt: number): number | null {
    return retryDelay(outcome, attempt, this.policy, this.now(), this.random);
  }
}
