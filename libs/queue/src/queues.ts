/** Every queue Postkasse uses. A job payload holds ids only, never content or personal data. */
export const QUEUES = ['deliver', 'deliver-bulk', 'print', 'notify', 'remind', 'webhook'] as const;
export type QueueName = (typeof QUEUES)[number];

export interface JobPayloads {
  deliver: { letterId: string };
  /** Letters that came in a batch: delivered as `deliver` ones, by workers of their own. */
  'deliver-bulk': { letterId: string };
  print: { letterId: string };
  notify: { letterId: string };
  remind: { letterId: string };
  webhook: { deliveryId: string };
}

/** Retries with exponential backoff; what still fails stays in the failed set with its reason. */
export const DEFAULT_JOB_OPTIONS = {
  attempts: 12,
  backoff: { type: 'exponential', delay: 1_000 },
  removeOnComplete: { age: 3_600, count: 10_000 },
  removeOnFail: false,
} as const;

/** Builds a job's payload from the outbox row's subject: the letter, or the webhook delivery. */
export function payloadFor<Q extends QueueName>(queue: Q, subjectId: string): JobPayloads[Q] {
  return (
    queue === 'webhook' ? { deliveryId: subjectId } : { letterId: subjectId }
  ) as JobPayloads[Q];
}

/** BullMQ job ids may not contain ':' (its key separator); ours are `${queue}-${letterId}`-style. */
export function jobIdFor(queue: QueueName, subjectId: string): string {
  return `${queue}-${subjectId}`;
}
