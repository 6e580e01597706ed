import type { BatchItem, DeliveryOutcome } from '#letters';

/** What the deliver processor calls: one letter's delivery, alone or as part of a batch. */
export interface Delivery {
  execute(letterId: string, options: { attempt: number }): Promise<DeliveryOutcome>;
}

type DeliverAll = (items: BatchItem[]) => Promise<PromiseSettledResult<DeliveryOutcome>[]>;

interface Waiting {
  attempt: number;
  settle: { resolve: (o: DeliveryOutcome) => void; reject: (e: unknown) => void }[];
}

/**
 * Gathers the deliver jobs this worker holds at once into batches. Each job stays an ordinary
 * BullMQ job, locked and renewed by its worker while it waits here, and completes only once its
 * letter's batch has committed (or failed, and then it is retried): BullMQ's at-least-once is
 * untouched, and a worker killed mid-batch leaves jobs that stall and come back to find their
 * letters delivered or not, never half. A batch goes when it has `size` letters, or `waitMs`
 * after its first one arrived.
 */
export class DeliveryBatcher implements Delivery {
  private waiting = new Map<string, Waiting>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly deliverAll: DeliverAll,
    private readonly size: number,
    private readonly waitMs: number,
  ) {}

  execute(letterId: string, { attempt }: { attempt: number }): Promise<DeliveryOutcome> {
    return new Promise((resolve, reject) => {
      // The same letter twice (a job re-created while its first run waits): one delivery.
      const entry = this.waiting.get(letterId) ?? { attempt, settle: [] };
      entry.attempt = Math.max(entry.attempt, attempt);
      entry.settle.push({ resolve, reject });
      this.waiting.set(letterId, entry);
      if (this.waiting.size >= this.size) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.waitMs);
    });
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = [...this.waiting.entries()];
    this.waiting = new Map();
    if (batch.length === 0) return;
    const items = batch.map(([letterId, w]) => ({ letterId, attempt: w.attempt }));
    this.deliverAll(items).then(
      (results) =>
        results.forEach((result, i) =>
          batch[i][1].settle.forEach((s) =>
            result.status === 'fulfilled' ? s.resolve(result.value) : s.reject(result.reason),
          ),
        ),
      (error: unknown) => batch.forEach(([, w]) => w.settle.forEach((s) => s.reject(error))),
    );
  }
}
