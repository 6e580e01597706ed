import type { DataSource } from 'typeorm';
import { jobIdFor, type JobProducer } from '#queue';

/**
 * PostgreSQL is the truth and Redis may forget: letters that should have moved on but have no
 * live job get one again. A failed or finished job with the same id is cleared first, since
 * BullMQ ignores an add whose id still exists.
 */
export class Reconciler {
  constructor(
    private readonly db: DataSource,
    private readonly producer: JobProducer,
    private readonly staleAfterMs: number,
  ) {}

  async pass(batch = 1_000): Promise<number> {
    const stuck = (await this.db.query(
      `SELECT id FROM letters
        WHERE state = 'accepted' AND created_at < now() - make_interval(secs => $1)
          AND (publish_at IS NULL OR publish_at < now() - make_interval(secs => $1))
        ORDER BY created_at LIMIT $2`,
      [this.staleAfterMs / 1000, batch],
    )) as { id: string }[];
    let recreated = 0;
    if (stuck.length === 0) return 0;
    const queue = this.producer.queue('deliver');
    for (const { id } of stuck) {
      const job = await queue.getJob(jobIdFor('deliver', id));
      const state = job ? await job.getState() : 'missing';
      if (['waiting', 'active', 'delayed', 'prioritized', 'waiting-children'].includes(state))
        continue;
      if (job) await job.remove().catch(() => undefined);
      await this.producer.add({ queue: 'deliver', subjectId: id, data: { letterId: id } });
      recreated += 1;
    }
    return recreated;
  }
}
