import { decodeCandidate, type CandidateCursor } from './letters/delivery';
import type { Sql } from './sql';

/**
 * The reconciler's candidates outside the letters group: webhook deliveries still pending.
 * Kept apart from webhooks.store.ts, whose owner shapes the registry and fan-out; the letters'
 * candidates are in letters/delivery.ts.
 */
export class ReconciliationStore {
  constructor(private readonly sql: Sql) {}

  /** Pending deliveries older than `staleSecs`, after the cursor, in cursor order. */
  webhookDeliveriesToSendAgain(
    staleSecs: number,
    after: CandidateCursor,
    limit: number,
  ): Promise<CandidateCursor[]> {
    return this.sql.rows(
      `SELECT id, created_at::text AS at FROM webhook_deliveries
        WHERE status = 'pending' AND created_at < now() - make_interval(secs => $1)
          AND (created_at, id) > ($2::timestamptz, $3::uuid)
        ORDER BY created_at, id LIMIT $4`,
      [staleSecs, after.at, after.id, limit],
      decodeCandidate,
    );
  }
}
