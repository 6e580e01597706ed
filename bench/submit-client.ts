/**
 * `node dist/bench/submit-client.js < ARGS_JSON`: letters offered at a fixed rate from a process
 * of its own, for the same reason as read-client.ts: the benchmark process also receives the
 * notification emails and holds a run's worth of data, and its pauses would count as the API's.
 */
import { observeCollections } from './gc-kinds';
import { ownCpuSeconds } from './process-usage';
import { Submitter, type SubmittableLetter } from './submitter';

export interface SubmitClientArgs {
  api: string;
  letters: SubmittableLetter[];
  recipients: string[];
  rate: number;
  seconds: number;
  apiPid?: number;
}

async function main() {
  let input = '';
  for await (const chunk of process.stdin) input += String(chunk);
  const args = JSON.parse(input) as SubmitClientArgs;
  const own = observeCollections();
  const submitter = new Submitter(args.api, args.letters, args.recipients, args.apiPid);
  const result = await submitter.offered(args.rate, args.seconds);
  process.stdout.write(
    JSON.stringify({
      ...result,
      errors: submitter.errors,
      problem: submitter.status.problem(),
      own,
      cpuSeconds: ownCpuSeconds(),
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
