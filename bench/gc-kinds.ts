import {
  PerformanceObserver,
  constants,
  performance,
  type PerformanceEntry,
} from 'node:perf_hooks';

const GC_KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'scavenge',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'mark-compact',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental marking',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak callbacks',
};

/** A garbage collection seen by a process's `gc` performance observer. */
export interface GcEntry {
  kind: string;
  ms: number;
  /** When it began, in ms since the epoch. */
  at: number;
}

/**
 * This process's collections from now on, appended to the returned array while `recording()`
 * says so.
 */
export function observeCollections(recording: () => boolean = () => true): GcEntry[] {
  const seen: GcEntry[] = [];
  new PerformanceObserver((list) => {
    if (!recording()) return;
    for (const e of list.getEntries() as (PerformanceEntry & { detail?: { kind: number } })[])
      seen.push({
        kind: GC_KINDS[e.detail?.kind ?? -1] ?? 'other',
        ms: e.duration,
        at: performance.timeOrigin + e.startTime,
      });
  }).observe({ entryTypes: ['gc'] });
  return seen;
}
