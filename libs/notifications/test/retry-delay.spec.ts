import { retryDelayMs } from '../src/retry-delay';

describe('the notification retry delay', () => {
  it('doubles from the first delay', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, 400))).toEqual([400, 800, 1_600, 3_200]);
  });

  it('stops growing at the cap, when there is one', () => {
    expect([1, 2, 3, 4, 5].map((n) => retryDelayMs(n, 1_000, 5_000))).toEqual([
      1_000, 2_000, 4_000, 5_000, 5_000,
    ]);
    expect(retryDelayMs(12, 60_000, 0)).toBe(60_000 * 2 ** 11);
  });
});
