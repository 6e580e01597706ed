import { AgencyRateLimiter, type RateLimitStore } from './rate-limit';

class MemoryStore implements RateLimitStore {
  status = 'ready';
  readonly counts = new Map<string, number>();
  async incr(key: string) {
    const n = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, n);
    return n;
  }
  async pexpire() {
    return 1;
  }
}

describe('the per-agency rate limiter', () => {
  it('allows the limit per window, then answers with the seconds left in the window', async () => {
    let now = 60_000 * 30_000_000 + 12_000;
    const limiter = new AgencyRateLimiter(
      new MemoryStore(),
      'p',
      { limit: 3, windowMs: 60_000 },
      () => now,
    );
    for (let i = 0; i < 3; i += 1) expect(await limiter.check('a')).toEqual({ allowed: true });
    const refused = await limiter.check('a');
    expect(refused).toEqual({ allowed: false, retryAfterSeconds: 48 });
    expect(await limiter.check('b')).toEqual({ allowed: true });
    now += 48_000;
    expect(await limiter.check('a')).toEqual({ allowed: true });
  });

  it('lets requests through when Redis is down or failing', async () => {
    const down = new MemoryStore();
    down.status = 'reconnecting';
    const limiter = new AgencyRateLimiter(down, 'p', { limit: 1, windowMs: 1_000 });
    for (let i = 0; i < 5; i += 1) expect((await limiter.check('a')).allowed).toBe(true);
    const failing: RateLimitStore = {
      incr: () => Promise.reject(new Error('Connection is closed')),
      pexpire: () => Promise.resolve(0),
    };
    const open = new AgencyRateLimiter(failing, 'p', { limit: 1, windowMs: 1_000 });
    expect(await open.check('a')).toEqual({ allowed: true });
  });

  it('is off when the limit is 0', async () => {
    const limiter = new AgencyRateLimiter(new MemoryStore(), 'p', { limit: 0, windowMs: 1_000 });
    for (let i = 0; i < 10; i += 1) expect((await limiter.check('a')).allowed).toBe(true);
  });
});
