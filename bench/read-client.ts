/**
 * `node dist/bench/read-client.js < ARGS_JSON`: times the citizen's reads from a process of its own.
 * The benchmark process holds the letters, latencies and keys of a whole run, and its own
 * collections paused the requests it timed; a small fresh client keeps its pauses out of the
 * figures, and reports them beside the results so that what is left can be checked.
 */
import { observeCollections } from './gc-kinds';
import { ownCpuSeconds } from './process-usage';
import { timeDownloads, timeList, type ReadClientArgs } from './read-path';

async function main() {
  let input = '';
  for await (const chunk of process.stdin) input += String(chunk);
  const args = JSON.parse(input) as ReadClientArgs;
  const own = observeCollections();
  const list = args.kinds.includes('list')
    ? await timeList(args.api, args.token, args.timed, args.apiPid)
    : null;
  const download = args.kinds.includes('download')
    ? await timeDownloads(args.api, args.token, args.docIds, args.timed, args.apiPid)
    : null;
  process.stdout.write(JSON.stringify({ list, download, own, cpuSeconds: ownCpuSeconds() }));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
