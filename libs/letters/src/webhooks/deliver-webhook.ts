import type { DataSource } from 'typeorm';
import type { WebhookRegistry } from './webhook-registry';
import { postToCheckedTarget } from './webhook-request';
import { signWebhook } from './webhook-signature';
import { checkTarget, systemResolver, type Resolver } from './webhook-target';

export interface WebhookDeliveryPolicy {
  timeoutMs: number;
  allowPrivateTargets: boolean;
}

export class WebhookAttemptFailed extends Error {}

interface DeliveryRow {
  status: string;
  webhook_id: string;
  url: string;
  deleted_at: Date | null;
  sealed_secret: Buffer;
  master_key_version: number;
  receipt_id: string;
  type: string;
  letter_id: string;
  at: Date;
  log_index: string;
  jws: string;
}

/**
 * One webhook delivery attempt (the `webhook` queue). At least once: the receiver may see an
 * event again after a timeout, always with the same `webhook-id` (the event id) to deduplicate
 * on. Redirects are not followed. The event feed stays the source of truth.
 */
export class DeliverWebhook {
  constructor(
    private readonly db: DataSource,
    private readonly registry: WebhookRegistry,
    private readonly policy: WebhookDeliveryPolicy,
    private readonly resolve: Resolver = systemResolver,
  ) {}

  /** Throws WebhookAttemptFailed to be retried; on the last attempt records the failure instead. */
  async execute(deliveryId: string, lastAttempt: boolean): Promise<string> {
    const [row] = (await this.db.query(
      `SELECT d.status, w.id AS webhook_id, w.url, w.deleted_at, w.sealed_secret, w.master_key_version,
              l.receipt_id, l.type, l.letter_id, l.at, l.log_index, l.jws
         FROM webhook_deliveries d
         JOIN webhooks w ON w.id = d.webhook_id
         JOIN receipt_log l ON l.log_index = d.log_index AND l.receipt_id = d.receipt_id
        WHERE d.id = $1`,
      [deliveryId],
    )) as DeliveryRow[];
    if (!row || row.status !== 'pending') return row?.status ?? 'missing';
    if (row.deleted_at) return this.finish(deliveryId, 'cancelled', 'the webhook was deleted');

    const url = new URL(row.url);
    const target = await checkTarget(url, this.policy.allowPrivateTargets, this.resolve);
    if (!target.ok) return this.finish(deliveryId, 'failed', target.reason);

    const body = JSON.stringify({
      id: row.receipt_id,
      type: row.type,
      letterId: row.letter_id,
      at: row.at.toISOString(),
      logIndex: Number(row.log_index),
      jws: row.jws,
    });
    const timestamp = Math.floor(Date.now() / 1000);
    let error: string;
    try {
      const status = await postToCheckedTarget(
        url,
        target,
        {
          'content-type': 'application/json',
          'user-agent': 'Postkasse-Webhooks/1',
          'webhook-id': row.receipt_id,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signWebhook(
            this.registry.secretOf({ id: row.webhook_id, ...row }),
            row.receipt_id,
            timestamp,
            body,
          ),
        },
        body,
        this.policy.timeoutMs,
      );
      if (status >= 200 && status < 300) return this.finish(deliveryId, 'delivered', null);
      error = `the receiver answered ${status}`;
    } catch (e) {
      error = `the request to ${target.address} failed: ${(e as Error).message}`;
    }
    await this.db.query(
      'UPDATE webhook_deliveries SET attempts = attempts + 1, last_error = $2 WHERE id = $1',
      [deliveryId, error],
    );
    if (lastAttempt) return this.finish(deliveryId, 'failed', `gave up: ${error}`);
    throw new WebhookAttemptFailed(error);
  }

  private async finish(deliveryId: string, status: string, error: string | null): Promise<string> {
    await this.db.query(
      `UPDATE webhook_deliveries SET status = $2, last_error = COALESCE($3, last_error), finished_at = now(),
         attempts = attempts + CASE WHEN $2 = 'delivered' THEN 1 ELSE 0 END
        WHERE id = $1 AND status = 'pending'`,
      [deliveryId, status, error],
    );
    return status;
  }
}
