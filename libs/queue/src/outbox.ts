import type { EntityManager } from 'typeorm';
import type { JobProducer } from './job-producer';
import { jobIdFor, payloadFor, type QueueName } from './queues';

/** An outbox row as staged: what the relay or an immediate hand-over needs to add the job. */
export interface OutboxRow {
  id: string;
  queue: QueueName;
  subject_id: string;
}

/**
 * Jobs are first written to the outbox in the transaction that needs them, so a crash or a
 * Redis outage between commit and `Queue.add` loses nothing: the relay hands them over later.
 */
export class Outbox {
  constructor(private readonly producer: JobProducer) {}

  /** `subjectId` is the letter's id, or the webhook delivery's for the webhook queue. */
  static async stage(m: EntityManager, queue: QueueName, subjectId: string): Promise<OutboxRow> {
    const [row] = await Outbox.stageAll(m, [{ queue, subjectId }]);
    return row;
  }

  /** Several jobs in one statement. */
  static async stageAll(
    m: EntityManager,
    jobs: { queue: QueueName; subjectId: string }[],
  ): Promise<OutboxRow[]> {
    if (jobs.length === 0) return [];
    return (await m.query(
      `INSERT INTO outbox (queue, job_id, subject_id)
       SELECT * FROM unnest($1::text[], $2::text[], $3::uuid[]) RETURNING id, queue, subject_id`,
      [
        jobs.map((j) => j.queue),
        jobs.map((j) => jobIdFor(j.queue, j.subjectId)),
        jobs.map((j) => j.subjectId),
      ],
    )) as OutboxRow[];
  }

  /** Hands staged rows to the queue right after commit; failure is fine, the relay retries. */
  async handOver(m: EntityManager, rows: OutboxRow[]): Promise<boolean> {
    if (rows.length === 0) return true;
    try {
      await this.addAll(rows);
    } catch {
      return false;
    }
    await m.query('UPDATE outbox SET handed_over_at = now() WHERE id = ANY($1)', [
      rows.map((r) => r.id),
    ]);
    return true;
  }

  /**
   * One relay pass: rows not handed over after `graceMs` (the API hands over its own rows right
   * after commit). SKIP LOCKED lets several workers relay at once without doubling work.
   */
  async relay(m: EntityManager, graceMs: number, batch = 500): Promise<number> {
    return m.transaction(async (tx) => {
      const rows = (await tx.query(
        `SELECT id, queue, subject_id FROM outbox
          WHERE handed_over_at IS NULL AND created_at < now() - make_interval(secs => $1)
          ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [graceMs / 1000, batch],
      )) as OutboxRow[];
      if (rows.length === 0) return 0;
      await this.addAll(rows);
      await tx.query('UPDATE outbox SET handed_over_at = now() WHERE id = ANY($1)', [
        rows.map((r) => r.id),
      ]);
      return rows.length;
    });
  }

  private async addAll(rows: OutboxRow[]): Promise<void> {
    await Promise.all(
      rows.map((r) =>
        this.producer.add({
          queue: r.queue,
          subjectId: r.subject_id,
          data: payloadFor(r.queue, r.subject_id),
        }),
      ),
    );
  }
}
