import { Queue, type JobsOptions } from 'bullmq';
import type { RedisClient } from './redis-connection';
import { DEFAULT_JOB_OPTIONS, jobIdFor, type JobPayloads, type QueueName } from './queues';

export interface JobRequest<Q extends QueueName = QueueName> {
  queue: Q;
  subjectId: string;
  data: JobPayloads[Q];
  delayMs?: number;
}

export class RedisUnavailableError extends Error {}

/**
 * Adds jobs to BullMQ. Adding a job whose id already exists is a no-op in BullMQ. With the
 * producer's fail-fast connection down, `add` throws at once instead of waiting; callers keep
 * the outbox row and the relay hands it over later.
 */
export class JobProducer {
  private readonly queues = new Map<QueueName, Queue>();

  constructor(
    private readonly connection: RedisClient,
    private readonly prefix: string,
    /** Per-queue retry policies, e.g. webhooks retry for about a day. */
    private readonly overrides: Partial<Record<QueueName, JobsOptions>> = {},
  ) {}

  /** Queues are opened once Redis is reachable: BullMQ asks the server for its version first. */
  queue(name: QueueName): Queue {
    if (this.connection.status !== 'ready') {
      throw new RedisUnavailableError(`Redis is ${this.connection.status}`);
    }
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: this.connection, prefix: this.prefix });
      this.queues.set(name, queue);
    }
    return queue;
  }

  async add<Q extends QueueName>(request: JobRequest<Q>): Promise<void> {
    await this.queue(request.queue).add(request.queue, request.data, {
      ...DEFAULT_JOB_OPTIONS,
      ...this.overrides[request.queue],
      jobId: jobIdFor(request.queue, request.subjectId),
      delay: request.delayMs,
    });
  }

  async ping(): Promise<void> {
    await this.connection.ping();
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    this.connection.disconnect();
  }
}
