import { DelayedError, type Job } from 'bullmq';
import type { JobPayloads } from '#queue';
import type { LetterNotifications, NotificationOutcome } from '#notifications';

/**
 * Waiting (quiet hours, a retry's backoff, a reminder not yet due) moves the job back to the
 * delayed set instead of failing it: retries are counted in PostgreSQL, not by BullMQ.
 */
export async function settle(
  job: Job,
  token: string | undefined,
  outcome: NotificationOutcome,
): Promise<string> {
  if (outcome.kind === 'later') {
    await job.moveToDelayed(outcome.at.getTime(), token);
    throw new DelayedError();
  }
  return outcome.result;
}

/** Tells the citizen by email that a letter was delivered (one email per letter, at most). */
export function notifyProcessor(notifications: LetterNotifications) {
  return async (job: Job<JobPayloads['notify']>, token?: string): Promise<string> =>
    settle(job, token, await notifications.execute(job.data.letterId, 'notify'));
}
