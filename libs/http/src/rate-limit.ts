/** The few Redis commands the limiter needs; ioredis's client fits, and so does a fake in tests. */
export interface RateLimitStore {
  status?: string;
  incr(key: string): Promise<number>;
  pexpire(key: string, ms: number): Promise<number>;
}

export interface RateLimitSettings {
  /** Requests allowed per window and agency; 0 turns the limit off. */
  limit: number;
  windowMs: number;
}

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * A fixed-window counter per agency in Redis, shared by every API process. Redis is an
 * accelerator here too: when it is down or slow the limiter lets requests through (fails open)
 * rather than turning a Redis outage into an API outage (DESIGN "Delivery without loss").
 */
export class AgencyRateLimiter {
  constructor(
    private readonly store: RateLimitStore,
    private readonly prefix: string,
    private readonly settings: RateLimitSettings,
    private readonly now: () => number = Date.now,
  ) {}

  async check(agencyId: string): Promise<RateDecision> {
    const { limit, windowMs } = this.settings;
    if (limit <= 0) return { allowed: true };
    if (this.store.status !== undefined && this.store.status !== 'ready') return { allowed: true };
    const now = this.now();
    const window = Math.floor(now / windowMs);
    const key = `${this.prefix}:rate:${agencyId}:${window}`;
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
