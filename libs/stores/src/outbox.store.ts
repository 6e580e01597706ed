import { int, nullable, text } from './columns';
import type { Row, Sql } from './sql';

/** An outbox row as staged: what a hand-over needs to add the job. */
export interface StagedJob {
  id: string;
  queue: string;
  subject_id: string;
  /** How long the job should wait before it runs (its row's `due_at` less now); absent: at once. */
  delay_ms?: number;
}

export const decodeJob = (r: Row): StagedJob => {
  const delay = nullable(int)(r, 'delay_ms');
  return {
    id: text(r, 'id'),
    queue: text(r, 'queue'),
    subject_id: text(r, 'subject_id'),
    ...(delay !== null && delay > 0 ? { delay_ms: delay } : {}),
  };
};

/** What a statement that stages or claims outbox rows returns: the row and the delay left. */
export const RETURNING_JOB = `id, queue, subject_id,
  (extract(epoch FROM due_at - now()) * 1000)::bigint AS delay_ms`;

/** How many rows wait for a hand-over, and how long the oldest has waited (null: none). */
export interface Backlog {
  count: number;
  oldestAgeMs: number | null;
}

/** Ages are measured on the database's clock, the one the rows' timestamps were taken by. */
export const decodeBacklog = (r: Row): Backlog => ({
  count: int(r, 'count'),
  oldestAgeMs: nullable(int)(r, 'oldest_age_ms'),
});

/** The transactional outbox: jobs written with the change that needs them, handed over later. */
export class OutboxStore {
  constructor(private readonly sql: Sql) {}

  /** Stages one job per subject in the caller's transaction; the job id is `queue-subject`. */
  stage(tx: Sql, queue: string, subjectIds: readonly string[]): Promise<StagedJob[]> {
    if (subjectIds.length === 0) return Promise.resolve([]);
    return tx.rows(
      `INSERT INTO outbox (queue, job_id, subject_id)
       SELECT $1::text, $1::text || '-' || s, s FROM unnest($2::uuid[]) AS s
       RETURNING ${RETURNING_JOB}`,
      [queue, subjectIds],
      decodeJob,
    );
  }

  /**
   * Rows older than `graceMs` not yet handed over, locked so that relays do not double work;
   * a row due later is handed over now with the delay left.
   */
  claimForRelay(tx: Sql, graceMs: number, limit: number): Promise<StagedJob[]> {
    return tx.rows(
      `SELECT ${RETURNING_JOB} FROM outbox
        WHERE handed_over_at IS NULL AND created_at < now() - make_interval(secs => $1)
        ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [graceMs / 1000, limit],
      decodeJob,
    );
  }

  async markHandedOver(ids: readonly string[], tx: Sql = this.sql): Promise<void> {
    await tx.run('UPDATE outbox SET handed_over_at = now() WHERE id = ANY($1)', [ids]);
  }

  /** For the metrics: one scan of the partial index of rows not yet handed over. */
  async backlog(): Promise<Backlog> {
    const found = await this.sql.maybeOne(
      `SELECT count(*) AS count,
              (extract(epoch FROM now() - min(created_at)) * 1000)::bigint AS oldest_age_ms
         FROM outbox WHERE handed_over_at IS NULL`,
      [],
      decodeBacklog,
    );
    return found ?? { count: 0, oldestAgeMs: null };
  }
}
