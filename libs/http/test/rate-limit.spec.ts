import { RequestRateLimiter, type RateLimitStore } from '../src/rate-limit';

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

type Kind = 'agency' | 'citizen' | 'anonymous';
const limits = (agency: number, citizen = 0, anonymous = 0) => ({ agency, citizen, anonymous });

describe('the request rate limiter', () => {
  it('allows the limit per window, then answers with the seconds left in the window', async () => {
    let now = 60_000 * 30_000_000 + 12_000;
    const limiter = new RequestRateLimiter<Kind>(
      new MemoryStore(),
      'p',
      { limits: limits(3), windowMs: 60_000 },
      () => now,
    );
    for (let i = 0; i < 3; i += 1)
      expect(await limiter.check('agency', 'a')).toEqual({ allowed: true });
    const refused = await limiter.check('agency', 'a');
    expect(refused).toEqual({ allowed: false, retryAfterSeconds: 48 });
    expect(await limiter.check('agency', 'b')).toEqual({ allowed: true });
    now += 48_000;
    expect(await limiter.check('agency', 'a')).toEqual({ allowed: true });
  });

  it('gives each kind of caller its own budget, even for the same id', async () => {
    const store = new MemoryStore();
    const limiter = new RequestRateLimiter<Kind>(store, 'p', {
      limits: limits(5, 2, 1),
      windowMs: 60_000,
    });
    const run = async (kind: Kind, n: number) => {
      const allowed: boolean[] = [];
      for (let i = 0; i < n; i += 1) allowed.push((await limiter.check(kind, 'x')).allowed);
      return allowed.filter(Boolean).length;
    };
    expect(await run('anonymous', 4)).toBe(1);
    expect(await run('citizen', 4)).toBe(2);
    expect(await run('agency', 8)).toBe(5);
    expect([...store.counts.keys()].map((k) => k.split(':')[2]).sort()).toEqual([
      'agency',
      'anonymous',
      'citizen',
    ]);
  });

  it('lets requests through when Redis is down or failing', async () => {
    const down = new MemoryStore();
    down.status = 'reconnecting';
    const settings = { limits: limits(1, 1, 1), windowMs: 1_000 };
    const limiter = new RequestRateLimiter<Kind>(down, 'p', settings);
    for (let i = 0; i < 5; i += 1) expect((await limiter.check('agency', 'a')).allowed).toBe(true);
    const failing: RateLimitStore = {
      incr: () => Promise.reject(new Error('Connection is closed')),
      pexpire: () => Promise.resolve(0),
    };
    const open = new RequestRateLimiter<Kind>(failing, 'p', settings);
    expect(await open.check('citizen', 'a')).toEqual({ allowed: true });
  });

  it('is off for a kind whose limit is 0, and only for that kind', async () => {
    const limiter = new RequestRateLimiter<Kind>(new MemoryStore(), 'p', {
      limits: limits(0, 1),
      windowMs: 1_000,
    });
    for (let i = 0; i < 10; i += 1) expect((await limiter.check('agency', 'a')).allowed).toBe(true);
    expect((await limiter.check('citizen', 'a')).allowed).toBe(true);
    expect((await limiter.check('citizen', 'a')).allowed).toBe(false);
  });
});
