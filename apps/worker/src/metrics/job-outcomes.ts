import type { Worker } from 'bullmq';
import type { Metrics } from '#metrics';
import type { QueueName } from '#queue';

/** The states a deliver job moves a letter into; others it reports were reached before. */
const ENTERED_BY_DELIVERY = new Set(['delivered', 'rejected', 'forwarded_to_print']);
/** Single letters and letters sent in batches are delivered by the same use case. */
const DELIVERY_QUEUES = new Set<QueueName>(['deliver', 'deliver-bulk']);

/**
 * A processor's return value as a label: the closed sets the processors answer with (a letter's
 * state, a notification's or webhook's result). A print job answers with its spool directory,
 * which names the letter, so it is reduced to `spooled`; anything unforeseen becomes `other`.
 */
export function outcomeLabel(queue: QueueName, result: unknown): string {
  if (queue === 'print') return result === null ? 'skipped' : 'spooled';
  return typeof result === 'string' && /^[a-z_]{1,32}$/.test(result) ? result : 'other';
}

/**
 * Counts what each job ended with. A deliver job that completes after the letter moved counts
 * it as entering that state: the job changed it, or (run again after a crash) found it so, which
 * can count one letter twice but never misses one.
 */
export function countJobOutcomes(worker: Worker, queue: QueueName, metrics: Metrics): void {
  worker.on('completed', (_job, result: unknown) => {
    const outcome = outcomeLabel(queue, result);
    metrics.jobOutcomes.inc({ queue, outcome });
    if (DELIVERY_QUEUES.has(queue) && ENTERED_BY_DELIVERY.has(outcome))
      metrics.lettersEntered.inc({ state: outcome });
  });
  // A delayed job (quiet hours, publishAt) is not failed: BullMQ emits nothing for it here.
  worker.on('failed', () => metrics.jobOutcomes.inc({ queue, outcome: 'attempt_failed' }));
}
