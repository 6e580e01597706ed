import type { DataSource } from 'typeorm';
import { jobIdFor, type JobProducer } from '#queue';
import { NotificationsStore, Sql } from '#stores';

const LIVE = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children'];

/**
 * PostgreSQL is the truth and Redis may forget (DESIGN "Delivery without loss or duplicates"):
 * a delivered, unread letter whose email has no final outcome, or whose reminder is overdue,
 * and which has no live job, gets its job again. The job itself decides whether anything is
 * still to be done, so re-adding one too many is harmless.
 */
export class NotificationReconciler {
  private readonly sends: NotificationsStore;

  constructor(
    db: DataSource,
    private readonly producer: JobProducer,
    private readonly staleAfterMs: number,
    private readonly dayMs: number,
  ) {
    this.sends = new NotificationsStore(new Sql(db));
  }

  async pass(batch = 500): Promise<number> {
    const candidates = await this.sends.overdue(this.staleAfterMs, this.dayMs, batch);
    let recreated = 0;
    for (const { letterId: id, queue: name } of candidates) {
      const queue = this.producer.queue(name);
      const job = await queue.getJob(jobIdFor(name, id));
      const state = job ? await job.getState() : 'missing';
      if (LIVE.includes(state)) continue;
      if (job) await job.remove().catch(() => undefined);
      await this.producer.add({ queue: name, subjectId: id, data: { letterId: id } });
      recreated += 1;
    }
    return recreated;
  }
}
