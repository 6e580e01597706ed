import { readFileSync } from 'node:fs';

/** A timed request, in milliseconds since the epoch, to set beside another process's events. */
export interface RequestSpan {
  start: number;
  end: number;
  /** How long the API's main thread waited for a CPU meanwhile, in ms (Linux schedstat). */
  queued: number;
}

/** Nanoseconds a thread has spent runnable but waiting for a CPU; 0 where Linux does not say. */
function runQueueWaitNs(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    return Number(readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ')[1]);
  } catch {
    return 0;
  }
}

/**
 * Starts timing a request to the API process `apiPid` (its main thread handles every request);
 * the returned function ends it.
 */
export function startSpan(apiPid?: number): () => RequestSpan {
  const t0 = performance.now();
  const waited = runQueueWaitNs(apiPid);
  return () => {
    const t1 = performance.now();
    return {
      start: performance.timeOrigin + t0,
      end: performance.timeOrigin + t1,
      queued: (runQueueWaitNs(apiPid) - waited) / 1e6,
    };
  };
}
