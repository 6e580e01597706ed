import type { DataSource } from 'typeorm';
import { Sql, WebhooksStore, webhookEventOf, type DeliveryStatus } from '#stores';
import type { WebhookRegistry } from './webhook-registry';
import { postToCheckedTarget } from './webhook-request';
import { signWebhook } from './webhook-signature';
import { checkTarget, systemResolver, type Resolver } from './webhook-target';

export interface WebhookDeliveryPolicy {
  timeoutMs: number;
  allowPrivateTargets: boolean;
}

export class WebhookAttemptFailed extends Error {}

/**
 * One webhook delivery attempt (the `webhook` queue). At least once: the receiver may see an
 * event again after a timeout, always with the same `webhook-id` (the event id) to deduplicate
 * on. Redirects are not followed. The event feed stays the source of truth.
 */
export class DeliverWebhook {
  private readonly webhooks: WebhooksStore;

  constructor(
    db: DataSource,
    private readonly registry: WebhookRegistry,
    private readonly policy: WebhookDeliveryPolicy,
    private readonly resolve: Resolver = systemResolver,
  ) {
    this.webhooks = new WebhooksStore(new Sql(db));
  }

  /** Throws WebhookAttemptFailed to be retried; on the last attempt records the failure instead. */
  async execute(deliveryId: string, lastAttempt: boolean): Promise<string> {
    const row = await this.webhooks.forAttempt(deliveryId);
    if (!row || row.status !== 'pending') return row?.status ?? 'missing';
    if (row.deletedAt) return this.finish(deliveryId, 'cancelled', 'the webhook was deleted');

    const url = new URL(row.url);
    const target = await checkTarget(url, this.policy.allowPrivateTargets, this.resolve);
    if (!target.ok) return this.finish(deliveryId, 'failed', target.reason);

    const body = JSON.stringify({
      id: row.receiptId,
      type: webhookEventOf(row.type),
      letterId: row.letterId,
      at: row.at.toISOString(),
      logIndex: row.logIndex,
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
          'webhook-id': row.receiptId,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signWebhook(
            this.registry.secretOf(row.webhookId, row),
            row.receiptId,
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
    await this.webhooks.recordFailedAttempt(deliveryId, error);
    if (lastAttempt) return this.finish(deliveryId, 'failed', `gave up: ${error}`);
    throw new WebhookAttemptFailed(error);
  }

  private async finish(
    deliveryId: string,
    status: Exclude<DeliveryStatus, 'pending'>,
    error: string | null,
  ): Promise<string> {
    await this.webhooks.finish(deliveryId, status, error);
    return status;
  }
}
