import type { Job } from 'bullmq';
import type { JobPayloads } from '#queue';
import type { LetterNotifications } from '#notifications';
import { settle } from './notify.processor';

/**
 * Staged at delivery; waits in the delayed set until `reminderAfterDays` have passed, then
 * checks again: still unread → one reminder; read → nothing.
 */
export function remindProcessor(notifications: LetterNotifications) {
  return async (job: Job<JobPayloads['remind']>, token?: string): Promise<string> =>
    settle(job, token, await notifications.execute(job.data.letterId, 'reminder'));
}
