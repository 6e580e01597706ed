import { DelayedError, type Job } from 'bullmq';
import type { DeliverLetter } from '#letters';
import type { JobPayloads } from '#queue';

/** Verifies and delivers; a letter due later goes back to the delayed set until `publishAt`. */
export function deliverProcessor(deliver: DeliverLetter) {
  return async (job: Job<JobPayloads['deliver']>, token?: string): Promise<string> => {
    const outcome = await deliver.execute(job.data.letterId, { attempt: job.attemptsMade + 1 });
    if (outcome.kind === 'not_yet') {
      await job.moveToDelayed(outcome.publishAt.getTime(), token);
      throw new DelayedError();
    }
    return outcome.state;
  };
}
