import { text } from './columns';
import type { Sql } from './sql';

/** Webhooks and their deliveries. */
export class WebhooksStore {
  /**
   * A delivery for each new log entry to each of its agency's webhooks that wants its type, in
   * the sequencer's transaction; returns the new deliveries' ids.
   */
  fanOut(
    tx: Sql,
    entries: { receiptId: string; logIndex: number; agencyId: string; type: string }[],
  ): Promise<string[]> {
    return tx.rows(
      `INSERT INTO webhook_deliveries (id, webhook_id, receipt_id, log_index)
       SELECT gen_random_uuid(), w.id, a.receipt_id, a.log_index
         FROM unnest($1::uuid[], $2::bigint[], $3::uuid[], $4::text[]) AS a(receipt_id, log_index, agency_id, type)
         JOIN webhooks w ON w.agency_id = a.agency_id AND w.deleted_at IS NULL
                        AND (w.events IS NULL OR a.type = ANY(w.events))
       ON CONFLICT (webhook_id, receipt_id) DO NOTHING RETURNING id`,
      [
        entries.map((e) => e.receiptId),
        entries.map((e) => e.logIndex),
        entries.map((e) => e.agencyId),
        entries.map((e) => e.type),
      ],
      (r) => text(r, 'id'),
    );
  }
}
