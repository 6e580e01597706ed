import { v7 as uuidv7 } from 'uuid';
import type { DataSource } from 'typeorm';
import { seal, unseal, type MasterKeyring } from '#crypto';
import { DomainError, invalid, notFound } from '#errors';
import {
  AgenciesStore,
  Sql,
  WEBHOOK_EVENTS,
  WebhooksStore,
  webhookEventOf,
  type DeliveryStatus,
  type SealedWebhookSecret,
  type WebhookRecord,
} from '#stores';
import { decodeCursor, encodeCursor } from '../cursor';
import { newWebhookSecret } from './webhook-signature';
import { assertWebhookUrl } from './webhook-target';

export interface WebhookView {
  id: string;
  url: string;
  events: string[] | null;
  createdAt: string;
}

const view = (r: WebhookRecord): WebhookView => ({
  id: r.id,
  url: r.url,
  events: r.events,
  createdAt: r.createdAt.toISOString(),
});

export const secretAad = (webhookId: string) =>
  Buffer.from(`postkasse:webhook-secret:${webhookId}`);

/** An agency's webhook endpoints. The signing secret is shown once and kept sealed. */
export class WebhookRegistry {
  private readonly sql: Sql;
  private readonly agencies: AgenciesStore;
  private readonly webhooks: WebhooksStore;

  constructor(
    db: DataSource,
    private readonly masterKeys: MasterKeyring,
    private readonly allowPrivateTargets: boolean,
    /** Every receipt fans out to each endpoint, so their number bounds the webhook queue's work. */
    private readonly maxPerAgency: number,
  ) {
    this.sql = new Sql(db);
    this.agencies = new AgenciesStore(this.sql);
    this.webhooks = new WebhooksStore(this.sql);
  }

  async create(
    agencyId: string,
    url: string,
    events?: string[],
  ): Promise<WebhookView & { secret: string }> {
    const target = assertWebhookUrl(url, this.allowPrivateTargets);
    const unknown = (events ?? []).filter((e) => !WEBHOOK_EVENTS.includes(e));
    if (unknown.length > 0)
      throw invalid('webhook.unknown_event', `unknown event type(s): ${unknown.join(', ')}`);
    const id = uuidv7();
    const secret = newWebhookSecret();
    const { current } = this.masterKeys;
    const row = await this.sql.transaction(async (tx) => {
      // The agency's row lock serialises concurrent creations, so the cap holds under a race.
      // The count is its own statement: under READ COMMITTED it then sees what the creation
      // that held the lock committed (a subquery of the locking statement would not).
      await this.agencies.lock(tx, agencyId);
      const active = await this.webhooks.countActive(tx, agencyId);
      if (active >= this.maxPerAgency) {
        throw new DomainError(
          409,
          'webhook.limit_reached',
          `This agency already has ${active} webhooks, the most allowed (${this.maxPerAgency}); delete one first`,
          { limit: this.maxPerAgency },
        );
      }
      return this.webhooks.create(
        tx,
        { id, agencyId, url: target.toString(), events: events ?? null },
        {
          sealedSecret: seal(current.key, Buffer.from(secret), secretAad(id)),
          masterKeyVersion: current.version,
        },
      );
    });
    return { ...view(row), secret };
  }

  async list(agencyId: string): Promise<{ items: WebhookView[]; nextCursor: null }> {
    const rows = await this.webhooks.listOf(agencyId);
    return { items: rows.map(view), nextCursor: null };
  }

  async remove(agencyId: string, id: string): Promise<void> {
    if (!(await this.webhooks.remove(agencyId, id))) throw notFound('webhook');
  }

  /** Deliveries of one endpoint, newest first, e.g. `status=failed` to see what gave up. */
  async deliveries(
    agencyId: string,
    webhookId: string,
    status: DeliveryStatus | undefined,
    limit: number,
    cursor?: string,
  ) {
    if (!(await this.webhooks.isOwnedBy(agencyId, webhookId))) throw notFound('webhook');
    const after = decodeCursor(cursor, ['logIndex']);
    const rows = await this.webhooks.deliveriesOf(webhookId, {
      status,
      beforeLogIndex: after?.[0],
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    return {
      items: page.map((r) => ({
        eventId: r.receiptId,
        type: webhookEventOf(r.type),
        letterId: r.letterId,
        logIndex: r.logIndex,
        status: r.status,
        attempts: r.attempts,
        lastError: r.lastError,
        createdAt: r.createdAt.toISOString(),
        finishedAt: r.finishedAt?.toISOString() ?? null,
      })),
      nextCursor: rows.length > limit ? encodeCursor([page[page.length - 1]!.logIndex]) : null,
    };
  }

  secretOf(webhookId: string, sealed: SealedWebhookSecret): string {
    return unseal(
      this.masterKeys.byVersion(sealed.masterKeyVersion),
      sealed.sealedSecret,
      secretAad(webhookId),
    ).toString();
  }
}
