import { decodeCandidate, type CandidateCursor } from './keyset';
import { RECEIPT_TYPES, type ReceiptType } from '#evidence';
import { bytes, date, int, nullable, oneOf, text, texts } from './columns';
import type { Row, Sql } from './sql';

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed', 'cancelled'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/**
 * What a webhook subscribes to: the receipt types, by name, except that the citizen's
 * `reply_received` receipt reaches the agency as `reply.received` (DESIGN "Replies"): a reply
 * is waiting in `GET /v1/replies`.
 */
const WEBHOOK_NAME: Partial<Record<ReceiptType, string>> = { reply_received: 'reply.received' };
export const WEBHOOK_EVENTS = RECEIPT_TYPES.map((t) => WEBHOOK_NAME[t] ?? t) as [
  string,
  ...string[],
];
export const webhookEventOf = (type: string): string => WEBHOOK_NAME[type as ReceiptType] ?? type;

const deliveryStatus = oneOf(DELIVERY_STATUSES);
const receiptType = oneOf(RECEIPT_TYPES);

/** A webhook endpoint as its agency sees it; the secret never leaves the store unsealed. */
export interface WebhookRecord {
  id: string;
  url: string;
  /** The receipt types it wants; null for all of them. */
  events: string[] | null;
  createdAt: Date;
}

/** A webhook's signing secret as stored: sealed under a version of the master key. */
export interface SealedWebhookSecret {
  sealedSecret: Buffer;
  masterKeyVersion: number;
}

/** One delivery as the agency's listing shows it, with the log entry it carries. */
export interface DeliveryRecord {
  receiptId: string;
  logIndex: number;
  status: DeliveryStatus;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  finishedAt: Date | null;
  type: ReceiptType;
  letterId: string;
}

/** What one delivery attempt needs: the endpoint, its secret and the log entry to send. */
export interface DeliveryAttempt extends SealedWebhookSecret {
  status: DeliveryStatus;
  webhookId: string;
  url: string;
  deletedAt: Date | null;
  receiptId: string;
  type: ReceiptType;
  letterId: string;
  at: Date;
  logIndex: number;
  jws: string;
}

const WEBHOOK_COLUMNS = 'id, url, events, created_at';

const decodeWebhook = (r: Row): WebhookRecord => ({
  id: text(r, 'id'),
  url: text(r, 'url'),
  events: nullable(texts)(r, 'events'),
  createdAt: date(r, 'created_at'),
});

const decodeDelivery = (r: Row): DeliveryRecord => ({
  receiptId: text(r, 'receipt_id'),
  logIndex: int(r, 'log_index'),
  status: deliveryStatus(r, 'status'),
  attempts: int(r, 'attempts'),
  lastError: nullable(text)(r, 'last_error'),
  createdAt: date(r, 'created_at'),
  finishedAt: nullable(date)(r, 'finished_at'),
  type: receiptType(r, 'type'),
  letterId: text(r, 'letter_id'),
});

const decodeAttempt = (r: Row): DeliveryAttempt => ({
  status: deliveryStatus(r, 'status'),
  webhookId: text(r, 'webhook_id'),
  url: text(r, 'url'),
  deletedAt: nullable(date)(r, 'deleted_at'),
  sealedSecret: bytes(r, 'sealed_secret'),
  masterKeyVersion: int(r, 'master_key_version'),
  receiptId: text(r, 'receipt_id'),
  type: receiptType(r, 'type'),
  letterId: text(r, 'letter_id'),
  at: date(r, 'at'),
  logIndex: int(r, 'log_index'),
  jws: text(r, 'jws'),
});

/** Webhooks and their deliveries. */
export class WebhooksStore {
  constructor(private readonly sql: Sql) {}

  /**
   * The agency's webhooks not deleted, in the caller's transaction. Under READ COMMITTED a
   * statement of its own sees what a creation that held the agency's lock before committed.
   */
  async countActive(tx: Sql, agencyId: string): Promise<number> {
    const [active] = await tx.rows(
      'SELECT count(*)::int AS active FROM webhooks WHERE agency_id = $1 AND deleted_at IS NULL',
      [agencyId],
      (r) => int(r, 'active'),
    );
    return active ?? 0;
  }

  async create(
    tx: Sql,
    webhook: { id: string; agencyId: string; url: string; events: readonly string[] | null },
    secret: SealedWebhookSecret,
  ): Promise<WebhookRecord> {
    const [created] = await tx.rows(
      `INSERT INTO webhooks (id, agency_id, url, events, sealed_secret, master_key_version)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${WEBHOOK_COLUMNS}`,
      [
        webhook.id,
        webhook.agencyId,
        webhook.url,
        webhook.events,
        secret.sealedSecret,
        secret.masterKeyVersion,
      ],
      decodeWebhook,
    );
    return created!;
  }

  /** The agency's webhooks not deleted, in id (creation) order. */
  listOf(agencyId: string): Promise<WebhookRecord[]> {
    return this.sql.rows(
      `SELECT ${WEBHOOK_COLUMNS} FROM webhooks WHERE agency_id = $1 AND deleted_at IS NULL ORDER BY id`,
      [agencyId],
      decodeWebhook,
    );
  }

  /** Marks the agency's webhook deleted; false when it has no such webhook (or it is gone). */
  async remove(agencyId: string, id: string): Promise<boolean> {
    const removed = await this.sql.count(
      'UPDATE webhooks SET deleted_at = now() WHERE id = $1 AND agency_id = $2 AND deleted_at IS NULL',
      [id, agencyId],
    );
    return removed > 0;
  }

  /** Whether the webhook is the agency's, deleted or not (its deliveries stay readable). */
  async isOwnedBy(agencyId: string, webhookId: string): Promise<boolean> {
    const found = await this.sql.count('SELECT 1 FROM webhooks WHERE id = $1 AND agency_id = $2', [
      webhookId,
      agencyId,
    ]);
    return found > 0;
  }

  /** Up to `limit` deliveries of one webhook, newest log entry first, below `beforeLogIndex`. */
  deliveriesOf(
    webhookId: string,
    page: { status?: DeliveryStatus; beforeLogIndex?: number; limit: number },
  ): Promise<DeliveryRecord[]> {
    const params: unknown[] = [webhookId, page.limit];
    let where = 'd.webhook_id = $1';
    if (page.status) {
      params.push(page.status);
      where += ` AND d.status = $${params.length}`;
    }
    if (page.beforeLogIndex !== undefined) {
      params.push(page.beforeLogIndex);
      where += ` AND d.log_index < $${params.length}`;
    }
    return this.sql.rows(
      `SELECT d.receipt_id, d.log_index, d.status, d.attempts, d.last_error, d.created_at, d.finished_at, l.type, l.letter_id
         FROM webhook_deliveries d JOIN receipt_log l ON l.log_index = d.log_index AND l.receipt_id = d.receipt_id
        WHERE ${where} ORDER BY d.log_index DESC LIMIT $2`,
      params,
      decodeDelivery,
    );
  }

  /** The delivery with its endpoint and log entry; null when there is no such delivery. */
  forAttempt(deliveryId: string): Promise<DeliveryAttempt | null> {
    return this.sql.maybeOne(
      `SELECT d.status, w.id AS webhook_id, w.url, w.deleted_at, w.sealed_secret, w.master_key_version,
              l.receipt_id, l.type, l.letter_id, l.at, l.log_index, l.jws
         FROM webhook_deliveries d
         JOIN webhooks w ON w.id = d.webhook_id
         JOIN receipt_log l ON l.log_index = d.log_index AND l.receipt_id = d.receipt_id
        WHERE d.id = $1`,
      [deliveryId],
      decodeAttempt,
    );
  }

  /** Counts an attempt that failed and will be retried, with why. */
  async recordFailedAttempt(deliveryId: string, error: string): Promise<void> {
    await this.sql.run(
      'UPDATE webhook_deliveries SET attempts = attempts + 1, last_error = $2 WHERE id = $1',
      [deliveryId, error],
    );
  }

  /**
   * Ends a delivery still pending (a second run changes nothing); a successful attempt is
   * counted here, a failed one was counted when it failed.
   */
  async finish(
    deliveryId: string,
    status: Exclude<DeliveryStatus, 'pending'>,
    error: string | null,
  ): Promise<void> {
    await this.sql.run(
      `UPDATE webhook_deliveries SET status = $2, last_error = COALESCE($3, last_error), finished_at = now(),
         attempts = attempts + CASE WHEN $2 = 'delivered' THEN 1 ELSE 0 END
        WHERE id = $1 AND status = 'pending'`,
      [deliveryId, status, error],
    );
  }

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
        entries.map((e) => webhookEventOf(e.type)),
      ],
      (r) => text(r, 'id'),
    );
  }

  /** Pending deliveries older than `staleSecs`, after the cursor: the reconciler's candidates. */
  deliveriesToSendAgain(
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
