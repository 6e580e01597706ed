/** The few Redis commands the limiter needs; ioredis's client fits, and so does a fake in tests. */
export interface RateLimitStore {
  status?: string;
  incr(key: string): Promise<number>;
  pexpire(key: string, ms: number): Promise<number>;
}

export interface RateLimitSettings<Kind extends string> {
  /** Requests allowed per window for one caller of each kind; 0 turns that kind's limit off. */
  limits: Record<Kind, number>;
  windowMs: number;
}

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * A fixed-window counter per caller in Redis, shared by every API process. Each kind of caller
 * (an agency, a citizen, a client address) has its own budget and its own keys, so one kind can
 * never spend another's. Redis is an accelerator here too: when it is down or slow the limiter
 * lets requests through (fails open) rather than turning a Redis outage into an API outage
 * (DESIGN "Delivery without loss").
 */
export class RequestRateLimiter<Kind extends string> {
  constructor(
    private readonly store: RateLimitStore,
    private readonly prefix: string,
    private readonly settings: RateLimitSettings<Kind>,
    private readonly now: () => number = Date.now,
  ) {}

  /** The budget of one caller of this kind in words, for a 429's detail. */
  describe(kind: Kind): string {
    return `${this.settings.limits[kind]} requests per ${this.settings.windowMs / 1000} s`;
  }

  async check(kind: Kind, caller: string): Promise<RateDecision> {
    const limit = this.settings.limits[kind];
    const { windowMs } = this.settings;
    if (limit <= 0) return { allowed: true };
    if (this.store.status !== undefined && this.store.status !== 'ready') return { allowed: true };
    const now = this.now();
    const window = Math.floor(now / windowMs);
    const key = `${this.prefix}:rate:${kind}:${caller}:${window}`;
    let count: number;
    try {
      count = await this.store.incr(key);
      if (count === 1) await this.store.pexpire(key, windowMs * 2);
    } catch {
      return { allowed: true };
    }
    if (count <= limit) return { allowed: true };
    const resetAt = (window + 1) * windowMs;
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((resetAt - now) / 1000)) };
  }
}
