import { constants } from 'node:perf_hooks';

const GC_KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'scavenge',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'mark-compact',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental marking',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak callbacks',
};

/** The name of a `gc` performance entry's kind. */
export const gcKind = (kind: number | undefined): string => GC_KINDS[kind ?? -1] ?? 'other';

/** A garbage collection seen by a process's `gc` performance observer. */
export interface GcEntry {
  kind: string;
  ms: number;
  /** When it began, in ms since the epoch. */
  at: number;
}
