import type { DataSource } from 'typeorm';
import { jobIdFor, payloadFor, type JobProducer, type QueueName } from '#queue';
import { LetterDeliveryStore, Sql, WebhooksStore, type CandidateCursor } from '#stores';

const LIVE = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children'];

type Candidates = (
  staleSecs: number,
  after: CandidateCursor,
  limit: number,
) => Promise<CandidateCursor[]>;

const START: CandidateCursor = { at: '-infinity', id: '00000000-0000-0000-0000-000000000000' };

/**
 * PostgreSQL is the truth and Redis may forget (DESIGN "Delivery without loss or duplicates"):
 * letters still to deliver or to print, and webhook deliveries still pending, that have no live
 * job get one again. A failed or finished job with the same id is cleared first, since BullMQ
 * ignores an add whose id still exists. Each pass looks at one batch per queue and goes on from
 * there the next time, so rows whose jobs are alive (a webhook in a day-long backoff) do not
 * hide the ones after them; after the last batch it starts over.
 */
export class Reconciler {
  private readonly cursors = new Map<QueueName, CandidateCursor>();
  /** What should have a job, per queue; each query has a partial index on its filter. */
  private readonly sources: { queue: QueueName; candidates: Candidates }[];

  constructor(
    db: DataSource,
    private readonly producer: JobProducer,
    private readonly staleAfterMs: number,
  ) {
    const sql = new Sql(db);
    const letters = new LetterDeliveryStore(sql);
    const webhooks = new WebhooksStore(sql);
    this.sources = [
      { queue: 'deliver', candidates: (...a) => letters.lettersToDeliverAgain(false, ...a) },
      // A letter sent in a batch gets its job back on the bulk queue, where it was first.
      {
        queue: 'deliver-bulk',
        candidates: (...a) => letters.lettersToDeliverAgain(true, ...a),
      },
      { queue: 'print', candidates: (...a) => letters.lettersToPrintAgain(...a) },
      { queue: 'webhook', candidates: (...a) => webhooks.deliveriesToSendAgain(...a) },
    ];
  }

  async pass(batch = 1_000): Promise<number> {
    let recreated = 0;
    for (const source of this.sources)
      recreated += await this.reconcile(source.queue, source.candidates, batch);
    return recreated;
  }

  private async reconcile(name: QueueName, candidates: Candidates, batch: number): Promise<number> {
    const cursor = this.cursors.get(name) ?? START;
    const rows = await candidates(this.staleAfterMs / 1000, cursor, batch);
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
