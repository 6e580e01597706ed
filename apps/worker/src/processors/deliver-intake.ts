import type { Job } from 'bullmq';
import type { JobPayloads } from '#queue';

export interface IntakeState {
  /** `WORKER_CONCURRENCY`: the most deliver jobs the worker holds at once. */
  configured: number;
  /** Deliver jobs this worker holds now. */
  inHand: number;
  /** Documents handed to the OpenPGP threads that none has started on yet. */
  waiting: number;
  threads: number;
  /** `OPENPGP_BACKLOG_PER_THREAD`: waiting documents per thread that still start soon. */
  backlogPerThread: number;
}

/**
 * How many deliver jobs the worker may hold: those it holds, plus one for each document its
 * threads could still start soon (a letter taken counts as at least one), up to what it is
 * configured for. With the backlog full it holds no more than now, so a job that finishes is
 * not replaced. What it does not take stays in Redis for a worker with free threads, and no
 * letter waits here in a long queue.
 */
export function deliverConcurrency(state: IntakeState): number {
  const room = Math.max(0, state.threads * state.backlogPerThread - state.waiting);
  return Math.max(1, Math.min(state.configured, state.inHand + room));
}

/** What of BullMQ's Worker the intake steers: its concurrency may change while it runs. */
export interface ConcurrencyControl {
  concurrency: number;
}

type DeliverProcessor = (job: Job<JobPayloads['deliver']>, token?: string) => Promise<string>;

/**
 * Backpressure for the deliver queue: the worker's BullMQ concurrency follows the OpenPGP
 * backlog, so the worker does not take letters from Redis that its threads cannot start soon.
 */
export class DeliverIntake {
  private inHand = 0;
  private worker: ConcurrencyControl | null = null;

  constructor(
    private readonly pool: { readonly threads: number; readonly waiting: number },
    private readonly configured: number,
    private readonly backlogPerThread: number,
  ) {}

  /** Wraps the deliver processor to count the jobs in hand. */
  wrap(processor: DeliverProcessor): DeliverProcessor {
    return async (job, token) => {
      this.inHand += 1;
      try {
        return await processor(job, token);
      } finally {
        this.inHand -= 1;
        this.update();
      }
    };
  }

  steer(worker: ConcurrencyControl): void {
    this.worker = worker;
    this.update();
  }

  /** Call when the backlog changes; BullMQ reads the value before it fetches the next job. */
  update(): void {
    if (!this.worker) return;
    const next = deliverConcurrency({
      configured: this.configured,
      inHand: this.inHand,
      waiting: this.pool.waiting,
      threads: this.pool.threads,
      backlogPerThread: this.backlogPerThread,
    });
    if (this.worker.concurrency !== next) this.worker.concurrency = next;
  }
}
