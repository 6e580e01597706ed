import type { Job } from 'bullmq';
import type { PrintLetter } from '#letters';
import type { JobPayloads } from '#queue';

export function printProcessor(print: PrintLetter) {
  return async (job: Job<JobPayloads['print']>): Promise<string | null> =>
    print.execute(job.data.letterId);
}
