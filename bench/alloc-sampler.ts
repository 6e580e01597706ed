/**
 * Preloaded into a process under benchmark (`node -r dist/bench/alloc-sampler.js`) when
 * ALLOC_PROFILE_FILE is set. Between one SIGUSR2 and the next (a span) it records the process's
 * garbage collections, their pauses and when they began, written to ALLOC_PROFILE_FILE-N.gc.json
 * for the Nth span. With ALLOC_PROFILE_HEAP=1 it also runs V8's sampling heap profiler over the
 * span, counting every allocation, also those collected since (what a collection's work is made
 * of), and writes it to ALLOC_PROFILE_FILE-N.heapprofile (it opens in Chrome DevTools).
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { observeCollections } from './gc-kinds';

const file = process.env.ALLOC_PROFILE_FILE;
const heap = process.env.ALLOC_PROFILE_HEAP === '1';

if (file) {
  const session = new Session();
  session.connect();
  let recording = false;
  let spans = 0;
  const gcs = observeCollections(() => recording);

  process.on('SIGUSR2', () => {
    if (!recording) {
      recording = true;
      gcs.length = 0;
      if (heap)
        session.post('HeapProfiler.startSampling', {
          samplingInterval: 8192,
          includeObjectsCollectedByMajorGC: true,
          includeObjectsCollectedByMinorGC: true,
        } as object);
      return;
    }
    recording = false;
    const span = JSON.stringify(gcs);
    const name = `${file}-${(spans += 1)}`;
    if (!heap) {
      writeFileSync(`${name}.gc.json`, span);
      return;
    }
    session.post('HeapProfiler.stopSampling', (error, result) => {
      if (error) console.error('allocation profile failed:', error.message);
      else writeFileSync(`${name}.heapprofile`, JSON.stringify(result.profile));
      writeFileSync(`${name}.gc.json`, span);
    });
  });
}
