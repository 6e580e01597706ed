/**
 * `node dist/bench/read-client.js < ARGS_JSON`: times the citizen's reads from a process of its own.
 * The benchmark process holds the letters, latencies and keys of a whole run, and its own
 * collections paused the requests it timed; a small fresh client keeps its pauses out of the
 * figures, and reports them beside the results so that what is left can be checked.
 */
import { PerformanceObserver, performance, type PerformanceEntry } from 'node:perf_hooks';
import { gcKind, type GcEntry } from './gc-kinds';
import { timeDownloads, timeList, type ReadClientArgs } from './read-path';

async function main() {
  let input = '';
  for await (const chunk of process.stdin) input += String(chunk);
  const args = JSON.parse(input) as ReadClientArgs;
  const own: GcEntry[] = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries() as (PerformanceEntry & { detail?: { kind: number } })[])
      own.push({
        kind: gcKind(e.detail?.kind),
        ms: e.duration,
        at: performance.timeOrigin + e.startTime,
      });
  }).observe({ entryTypes: ['gc'] });
  const list = args.kinds.includes('list')
    ? await timeList(args.api, args.token, args.timed)
    : null;
  const download = args.kinds.includes('download')
    ? await timeDownloads(args.api, args.token, args.docIds, args.timed)
    : null;
  process.stdout.write(JSON.stringify({ list, download, own }));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
