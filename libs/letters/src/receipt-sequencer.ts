import type { DataSource } from 'typeorm';
import type { JWK } from 'jose';
import { leafHash, signReceipt, type ReceiptPayload } from '#evidence';
import type { Outbox, OutboxRow } from '#queue';

/** An arbitrary constant that names the sequencer's advisory lock. */
const SEQUENCER_LOCK = 0x706b5f6c6f67;

/**
 * Gives staged receipts their log index, signs them and appends them to the insert-only log.
 * Several workers may run it; the advisory lock makes exactly one of them sequence at a time,
 * so no two entries ever share an index.
 */
export class ReceiptSequencer {
  constructor(
    private readonly db: DataSource,
    private readonly key: { privateJwk: JWK; kid: string },
    /** When given, webhook deliveries staged with the batch are handed to the queue at once. */
    private readonly outbox?: Outbox,
  ) {}

  /** Sequences one batch; returns how many receipts were appended (0 when another holds the lock). */
  async sequenceBatch(batch = 500): Promise<number> {
    const { count, jobs } = await this.appendBatch(batch);
    if (this.outbox && jobs.length > 0) await this.outbox.handOver(this.db.manager, jobs);
    return count;
  }

  private async appendBatch(batch: number): Promise<{ count: number; jobs: OutboxRow[] }> {
    const none = { count: 0, jobs: [] as OutboxRow[] };
    return this.db.transaction(async (m) => {
      const [{ locked }] = (await m.query('SELECT pg_try_advisory_xact_lock($1) AS locked', [
        SEQUENCER_LOCK,
      ])) as { locked: boolean }[];
      if (!locked) return none;
      const staged = (await m.query(
        `SELECT id, letter_id, agency_id, type, at, payload FROM receipts
          WHERE log_index IS NULL ORDER BY staged_seq LIMIT $1`,
        [batch],
      )) as {
        id: string;
        letter_id: string;
        agency_id: string;
        type: string;
        at: Date;
        payload: Omit<ReceiptPayload, 'logIndex'>;
      }[];
      if (staged.length === 0) return none;
      const [{ next }] = (await m.query(
        'SELECT COALESCE(max(log_index) + 1, 0)::bigint AS next FROM receipt_log',
      )) as { next: string }[];
      let index = Number(next);
      const rows: unknown[][] = [];
      for (const receipt of staged) {
        const jws = await signReceipt({ ...receipt.payload, logIndex: index }, this.key);
        rows.push([
          index,
          receipt.id,
          receipt.letter_id,
          receipt.agency_id,
          receipt.type,
          receipt.at,
          leafHash(Buffer.from(jws, 'utf8')),
          jws,
        ]);
        index += 1;
      }
      await m.query(
        `INSERT INTO receipt_log (log_index, receipt_id, letter_id, agency_id, type, at, leaf_hash, jws)
         SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::uuid[], $4::uuid[], $5::text[],
                              $6::timestamptz[], $7::bytea[], $8::text[])`,
        [0, 1, 2, 3, 4, 5, 6, 7].map((c) => rows.map((r) => r[c])),
      );
      // With its letter id a receipt is found in one partition when receipts are partitioned.
      await m.query(
        `UPDATE receipts r SET log_index = v.log_index
           FROM unnest($1::uuid[], $2::uuid[], $3::bigint[]) AS v(id, letter_id, log_index)
          WHERE r.id = v.id AND r.letter_id = v.letter_id`,
        [rows.map((r) => r[1]), rows.map((r) => r[2]), rows.map((r) => r[0])],
      );
      // Each new entry goes to the agency's webhooks that want its type, in the same transaction.
      const deliveries = (await m.query(
        `INSERT INTO webhook_deliveries (id, webhook_id, receipt_id, log_index)
         SELECT gen_random_uuid(), w.id, a.receipt_id, a.log_index
           FROM unnest($1::uuid[], $2::bigint[], $3::uuid[], $4::text[]) AS a(receipt_id, log_index, agency_id, type)
           JOIN webhooks w ON w.agency_id = a.agency_id AND w.deleted_at IS NULL
                          AND (w.events IS NULL OR a.type = ANY(w.events))
         ON CONFLICT (webhook_id, receipt_id) DO NOTHING RETURNING id`,
        [
          rows.map((r) => r[1]),
          rows.map((r) => r[0]),
          rows.map((r) => r[3]),
          rows.map((r) => r[4]),
        ],
      )) as { id: string }[];
      const outboxRows =
        deliveries.length === 0
          ? []
          : ((await m.query(
              `INSERT INTO outbox (queue, job_id, subject_id)
               SELECT 'webhook', 'webhook-' || d, d FROM unnest($1::uuid[]) AS d
               RETURNING id, queue, subject_id`,
              [deliveries.map((d) => d.id)],
            )) as OutboxRow[]);
      return { count: staged.length, jobs: outboxRows };
    });
  }
}
