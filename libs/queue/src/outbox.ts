import type { EntityManager } from 'typeorm';
import { OutboxStore, Sql, type StagedJob } from '#stores';
import type { JobProducer } from './job-producer';
import { payloadFor, QUEUES, type QueueName } from './queues';

/** An outbox row as staged: what the relay or an immediate hand-over needs to add the job. */
export type OutboxRow = StagedJob;

function queueOf(row: OutboxRow): QueueName {
  const queue = QUEUES.find((q) => q === row.queue);
  // A row only this code writes; another name means a schema or code drift to see at once.
  if (!queue) throw new Error(`outbox row ${row.id} names no known queue: ${row.queue}`);
  return queue;
}

/**
 * Jobs are first written to the outbox in the transaction that needs them, so a crash or a
 * Redis outage between commit and `Queue.add` loses nothing: the relay hands them over later.
 */
export class Outbox {
  private marking: { m: EntityManager; ids: string[]; timer: NodeJS.Timeout } | null = null;

  /**
   * `markAfterMs`: hand-overs are recorded in one statement per interval rather than one per
   * hand-over, which saved a commit per job. A row not yet recorded when the process dies is
   * handed over again by the relay; its job id is fixed, and every job is idempotent.
   */
  constructor(
    private readonly producer: JobProducer,
    private readonly markAfterMs = 100,
  ) {}

  /** Hands staged rows to the queue right after commit; failure is fine, the relay retries. */
  async handOver(m: EntityManager, rows: OutboxRow[]): Promise<boolean> {
    if (rows.length === 0) return true;
    try {
      await this.addAll(rows);
    } catch {
      return false;
    }
    if (!this.marking) {
      const timer = setTimeout(() => void this.flush(), this.markAfterMs).unref();
      this.marking = { m, ids: [], timer };
    }
    this.marking.ids.push(...rows.map((r) => r.id));
    return true;
  }

  /** Records the hand-overs made so far; at shutdown, and where a test needs to see them. */
  async flush(): Promise<void> {
    const marking = this.marking;
    if (!marking) return;
    this.marking = null;
    clearTimeout(marking.timer);
    await new OutboxStore(new Sql(marking.m))
      .markHandedOver(marking.ids)
      // Unrecorded rows are handed over once more by the relay, which is harmless.
      .catch(() => undefined);
  }

  /**
   * One relay pass: rows not handed over after `graceMs` (the API hands over its own rows right
   * after commit). SKIP LOCKED lets several workers relay at once without doubling work.
   */
  async relay(m: EntityManager, graceMs: number, batch = 500): Promise<number> {
    const outbox = new OutboxStore(new Sql(m));
    return new Sql(m).transaction(async (tx) => {
      const rows = await outbox.claimForRelay(tx, graceMs, batch);
      if (rows.length === 0) return 0;
      await this.addAll(rows);
      await outbox.markHandedOver(
        rows.map((r) => r.id),
        tx,
      );
      return rows.length;
    });
  }

  private async addAll(rows: OutboxRow[]): Promise<void> {
    await Promise.all(
      rows.map((r) => {
        const queue = queueOf(r);
        return this.producer.add({
          queue,
          subjectId: r.subject_id,
          data: payloadFor(queue, r.subject_id),
          delayMs: r.delay_ms,
        });
      }),
    );
  }
}
