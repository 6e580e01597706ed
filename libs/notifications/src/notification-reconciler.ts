import type { DataSource } from 'typeorm';
import { jobIdFor, type JobProducer } from '#queue';

const LIVE = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children'];

/**
 * PostgreSQL is the truth and Redis may forget (DESIGN "Delivery without loss or duplicates"):
 * a delivered, unread letter whose email has no final outcome, or whose reminder is overdue,
 * and which has no live job, gets its job again. The job itself decides whether anything is
 * still to be done, so re-adding one too many is harmless.
 */
export class NotificationReconciler {
  constructor(
    private readonly db: DataSource,
    private readonly producer: JobProducer,
    private readonly staleAfterMs: number,
    private readonly dayMs: number,
  ) {}

  async pass(batch = 500): Promise<number> {
    const candidates = (await this.db.query(
      `(SELECT l.id, 'notify' AS queue FROM letters l
         WHERE l.state = 'delivered' AND l.read_at IS NULL
           AND l.delivered_at < now() - make_interval(secs => $1)
           AND NOT EXISTS (SELECT 1 FROM notification_sends s
                            WHERE s.letter_id = l.id AND s.kind = 'notify'
                              AND s.state IN ('sent', 'failed'))
         ORDER BY l.delivered_at LIMIT $2)
       UNION ALL
       (SELECT l.id, 'remind' AS queue FROM letters l
         WHERE l.state = 'delivered' AND l.read_at IS NULL AND l.reminder_after_days > 0
           AND l.delivered_at + make_interval(secs => l.reminder_after_days * $3::float8)
               < now() - make_interval(secs => $1)
           AND NOT EXISTS (SELECT 1 FROM notification_sends s
                            WHERE s.letter_id = l.id AND s.kind = 'reminder'
                              AND s.state IN ('sent', 'failed'))
         ORDER BY l.delivered_at LIMIT $2)`,
      [this.staleAfterMs / 1000, batch, this.dayMs / 1000],
    )) as { id: string; queue: 'notify' | 'remind' }[];
    let recreated = 0;
    for (const { id, queue: name } of candidates) {
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
