/**
 * Preloaded into a process under benchmark (`node -r dist/bench/alloc-sampler.js`) when
 * ALLOC_PROFILE_FILE is set. Between one SIGUSR2 and the next (a span) it records the process's
 * garbage collections, their pauses and when they began (ms since the epoch), written to ALLOC_PROFILE_FILE-N.gc.json for the Nth span.
 * With ALLOC_PROFILE_HEAP=1 it also runs V8's sampling heap profiler over the span, counting
 * every allocation, also those collected since (what a collection's work is made of), and
 * writes it to ALLOC_PROFILE_FILE-N.heapprofile (it opens in Chrome DevTools).
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { PerformanceObserver, performance, type PerformanceEntry } from 'node:perf_hooks';
import { gcKind } from './gc-kinds';

const file = process.env.ALLOC_PROFILE_FILE;
const heap = process.env.ALLOC_PROFILE_HEAP === '1';

if (file) {
  const session = new Session();
  session.connect();
  let gcs: { kind: string; ms: number; at: number }[] | null = null;
  let spans = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries() as (PerformanceEntry & { detail?: { kind: number } })[])
      gcs?.push({
        kind: gcKind(entry.detail?.kind),
        ms: entry.duration,
        at: performance.timeOrigin + entry.startTime,
      });
  }).observe({ entryTypes: ['gc'] });

  process.on('SIGUSR2', () => {
    if (gcs === null) {
      gcs = [];
      if (!heap) return;
      session.post('HeapProfiler.startSampling', {
        samplingInterval: 8192,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true,
      } as object);
      return;
    }
    const span = gcs;
    const name = `${file}-${(spans += 1)}`;
    gcs = null;
    if (!heap) {
      writeFileSync(`${name}.gc.json`, JSON.stringify(span));
      return;
    }
    session.post('HeapProfiler.stopSampling', (error, result) => {
      if (error) console.error('allocation profile failed:', error.message);
      else writeFileSync(`${name}.heapprofile`, JSON.stringify(result.profile));
      writeFileSync(`${name}.gc.json`, JSON.stringify(span));
    });
  });
}
