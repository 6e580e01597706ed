/**
 * The wait before retry number `attempt` (1 after the first failure): `backoffMs` doubling,
 * but never more than `maxMs` when that is set (> 0). Without a cap the gaps grow so long that
 * after an outage the first retry may come hours after the server is back; with one, the
 * backlog drains within `maxMs` of recovery while the early retries still grow.
 */
export function retryDelayMs(attempt: number, backoffMs: number, maxMs = 0): number {
  const doubling = backoffMs * 2 ** Math.max(0, attempt - 1);
  return maxMs > 0 ? Math.min(doubling, maxMs) : doubling;
}
