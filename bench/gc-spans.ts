/**
 * The API's garbage collections during a span of the benchmark, as recorded by the preloaded
 * sampler (alloc-sampler.ts), set beside the requests timed meanwhile.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { ROOT } from './processes';
import type { GcEntry } from './gc-kinds';
import type { RequestSpan } from './request-span';
import { fmt } from './stats';

/** Node flags that preload the sampler into a process. */
export const SAMPLER_FLAGS = ['-r', join(ROOT, 'dist/bench/alloc-sampler.js')];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs `work` as one span of the sampler in `child` (started with SAMPLER_FLAGS and
 * ALLOC_PROFILE_FILE=`base`) and returns its result with the child's collections meanwhile;
 * `name` is the span's files without their extension.
 */
export function samplerSpans(child: ChildProcess, base: string) {
  let spans = 0;
  return async <T>(work: () => Promise<T>) => {
    const name = `${base}-${(spans += 1)}`;
    rmSync(`${name}.gc.json`, { force: true }); // one of an earlier run
    child.kill('SIGUSR2');
    const result = await work();
    child.kill('SIGUSR2');
    for (let i = 0; i < 100 && !existsSync(`${name}.gc.json`); i += 1) await sleep(100);
    const gcs = JSON.parse(readFileSync(`${name}.gc.json`, 'utf8')) as GcEntry[];
    return { result, gcs, name };
  };
}

export function gcSummary(gcs: GcEntry[]): string {
  const kinds = [...new Set(gcs.map((g) => g.kind))];
  if (kinds.length === 0) return 'none';
  return kinds
    .map((kind) => {
      const ms = gcs.filter((g) => g.kind === kind).map((g) => g.ms);
      return `${ms.length} ${kind}, ${fmt(ms.reduce((a, b) => a + b, 0))} ms in all, longest ${fmt(Math.max(...ms))} ms`;
    })
    .join('; ');
}

/**
 * What the slowest 1 % of requests met, beside all requests: a collection of the API (`gcs`) or
 * of the client timing them (`own`), and how long the API's main thread waited for a CPU.
 * Says whether a latency tail is a collector, the scheduler, or neither.
 */
export function tailCauses(spans: RequestSpan[], gcs: GcEntry[], own: GcEntry[]): string {
  const met = (collections: GcEntry[]) => (s: RequestSpan) =>
    collections.some((g) => g.at < s.end && g.at + g.ms > s.start);
  const slowest = [...spans]
    .sort((a, b) => b.end - b.start - (a.end - a.start))
    .slice(0, Math.max(1, Math.round(spans.length / 100)));
  const share = (list: RequestSpan[], test: (s: RequestSpan) => boolean) =>
    `${list.filter(test).length} of ${list.length}`;
  const queued = (list: RequestSpan[]) =>
    fmt(list.reduce((sum, s) => sum + s.queued, 0) / Math.max(1, list.length), 1);
  return (
    `slowest 1 % / all: met a collection of the API ${share(slowest, met(gcs))} / ${share(spans, met(gcs))}, ` +
    `of the client ${share(slowest, met(own))} / ${share(spans, met(own))}; ` +
    `the API's main thread waited for a CPU ${queued(slowest)} / ${queued(spans)} ms per request`
  );
}
