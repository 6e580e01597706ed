import type { Job } from 'bullmq';
import type { JobPayloads } from '#queue';
import type { LetterNotifications } from '#notifications';
import { settle } from './notify.processor';

/**
 * Staged at delivery and added with its delay (the outbox row's `due_at`), so it first runs
 * when `reminderAfterDays` have passed and checks again: still unread → one reminder; read →
 * nothing. One run early (a job the reconciler re-added) goes back to the delayed set.
 */
export function remindProcessor(notifications: LetterNotifications) {
  return async (job: Job<JobPayloads['remind']>, token?: string): Promise<string> =>
    settle(job, token, await notifications.execute(job.data.letterId, 'reminder'));
}
