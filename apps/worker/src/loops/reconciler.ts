import type { DataSource } from 'typeorm';
import { jobIdFor, payloadFor, type JobProducer, type QueueName } from '#queue';

const LIVE = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children'];

/**
 * What should have a job: rows that have waited longer than $1 seconds, after the keyset
 * cursor ($2, $3), in cursor order, at most $4. Each query has a partial index on its filter.
 */
const SOURCES: { queue: QueueName; sql: string }[] = [
  {
    queue: 'deliver',
    sql: `SELECT id, created_at::text AS at FROM letters
           WHERE state = 'accepted' AND created_at < now() - make_interval(secs => $1)
             AND (publish_at IS NULL OR publish_at < now() - make_interval(secs => $1))
             AND (created_at, id) > ($2::timestamptz, $3::uuid)
           ORDER BY created_at, id LIMIT $4`,
  },
  {
    // Forwarded but never handed to print. An end-to-end letter cannot be printed (submission
    // and delivery refuse them now); one forwarded before that would only fail again.
    queue: 'print',
    sql: `SELECT id, created_at::text AS at FROM letters
           WHERE state = 'forwarded_to_print' AND spooled_at IS NULL AND NOT end_to_end
             AND created_at < now() - make_interval(secs => $1)
             AND (created_at, id) > ($2::timestamptz, $3::uuid)
           ORDER BY created_at, id LIMIT $4`,
  },
  {
    queue: 'webhook',
    sql: `SELECT id, created_at::text AS at FROM webhook_deliveries
           WHERE status = 'pending' AND created_at < now() - make_interval(secs => $1)
             AND (created_at, id) > ($2::timestamptz, $3::uuid)
           ORDER BY created_at, id LIMIT $4`,
  },
];

/** `at` as PostgreSQL prints it: a Date would drop the microseconds and see the last row again. */
interface Cursor {
  at: string;
  id: string;
}

const START: Cursor = { at: '-infinity', id: '00000000-0000-0000-0000-000000000000' };

/**
 * PostgreSQL is the truth and Redis may forget (DESIGN "Delivery without loss or duplicates"):
 * letters still to deliver or to print, and webhook deliveries still pending, that have no live
 * job get one again. A failed or finished job with the same id is cleared first, since BullMQ
 * ignores an add whose id still exists. Each pass looks at one batch per queue and goes on from
 * there the next time, so rows whose jobs are alive (a webhook in a day-long backoff) do not
 * hide the ones after them; after the last batch it starts over.
 */
export class Reconciler {
  private readonly cursors = new Map<QueueName, Cursor>();

  constructor(
    private readonly db: DataSource,
    private readonly producer: JobProducer,
    private readonly staleAfterMs: number,
  ) {}

  async pass(batch = 1_000): Promise<number> {
    let recreated = 0;
    for (const source of SOURCES)
      recreated += await this.reconcile(source.queue, source.sql, batch);
    return recreated;
  }

  private async reconcile(name: QueueName, sql: string, batch: number): Promise<number> {
    const cursor = this.cursors.get(name) ?? START;
    const rows = (await this.db.query(sql, [
      this.staleAfterMs / 1000,
      cursor.at,
      cursor.id,
      batch,
    ])) as { id: string; at: string }[];
    const last = rows[rows.length - 1];
    if (last && rows.length === batch) this.cursors.set(name, { at: last.at, id: last.id });
    else this.cursors.delete(name);
    if (rows.length === 0) return 0;

    const queue = this.producer.queue(name);
    let recreated = 0;
    for (const { id } of rows) {
      const job = await queue.getJob(jobIdFor(name, id));
      const state = job ? await job.getState() : 'missing';
      if (LIVE.includes(state)) continue;
      if (job) await job.remove().catch(() => undefined);
      await this.producer.add({ queue: name, subjectId: id, data: payloadFor(name, id) });
      recreated += 1;
    }
    return recreated;
  }
}
