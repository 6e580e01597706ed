import type { Job } from 'bullmq';
import { QUEUES, type JobPayloads, type QueueName } from '#queue';

export type Processor<Q extends QueueName> = (
  job: Job<JobPayloads[Q]>,
  token?: string,
) => Promise<unknown>;
export type ProcessorRegistry = { [Q in QueueName]: Processor<Q> };

/**
 * One processor per queue, registered in one place. A queue without a processor, or a processor
 * for a queue nobody produces to, stops the worker at start-up rather than losing jobs.
 */
export function checkRegistry(registry: Partial<ProcessorRegistry>): ProcessorRegistry {
  const missing = QUEUES.filter((q) => typeof registry[q] !== 'function');
  const unknown = Object.keys(registry).filter((q) => !(QUEUES as readonly string[]).includes(q));
  if (missing.length > 0 || unknown.length > 0) {
    throw new Error(
      `Processor registry mismatch: missing [${missing.join(', ')}], unknown [${unknown.join(', ')}]`,
    );
  }
  return registry as ProcessorRegistry;
}
