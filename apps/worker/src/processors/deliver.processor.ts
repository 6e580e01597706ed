import { DelayedError, type Job } from 'bullmq';
import type { JobPayloads } from '#queue';
import type { Delivery } from './delivery-batcher';

/** Verifies and delivers; a letter due later goes back to the delayed set until `publishAt`. */
export function deliverProcessor(deliver: Delivery) {
  return async (job: Job<JobPayloads['deliver']>, token?: string): Promise<string> => {
    const outcome = await deliver.execute(job.data.letterId, { attempt: job.attemptsMade + 1 });
    if (outcome.kind === 'not_yet') {
      await job.moveToDelayed(outcome.publishAt.getTime(), token);
      throw new DelayedError();
    }
    return outcome.state;
  };
}
