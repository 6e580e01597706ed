import type { Job } from 'bullmq';
import type { DeliverWebhook } from '#letters';
import type { JobPayloads } from '#queue';

/** One attempt per run; BullMQ's exponential backoff spaces them over about a day. */
export function webhookProcessor(deliver: DeliverWebhook) {
  return async (job: Job<JobPayloads['webhook']>): Promise<string> => {
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    return deliver.execute(job.data.deliveryId, lastAttempt);
  };
}
