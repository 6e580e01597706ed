import { v7 as uuidv7 } from 'uuid';
import type { DataSource } from 'typeorm';
import { seal, unseal, type MasterKeyring } from '#crypto';
import { RECEIPT_TYPES } from '#evidence';
import { DomainError, invalid, notFound } from '#errors';
import { decodeCursor, encodeCursor } from '../cursor';
import { newWebhookSecret } from './webhook-signature';
import { assertWebhookUrl } from './webhook-target';

export interface WebhookView {
  id: string;
  url: string;
  events: string[] | null;
  createdAt: string;
}

interface WebhookRow {
  id: string;
  url: string;
  events: string[] | null;
  created_at: Date;
}

const view = (r: WebhookRow): WebhookView => ({
  id: r.id,
  url: r.url,
  events: r.events,
  createdAt: r.created_at.toISOString(),
});

export const secretAad = (webhookId: string) =>
  Buffer.from(`postkasse:webhook-secret:${webhookId}`);

/** An agency's webhook endpoints. The signing secret is shown once and kept sealed. */
export class WebhookRegistry {
  constructor(
    private readonly db: DataSource,
    private readonly masterKeys: MasterKeyring,
    private readonly allowPrivateTargets: boolean,
    /** Every receipt fans out to each endpoint, so their number bounds the webhook queue's work. */
    private readonly maxPerAgency: number,
  ) {}

  async create(
    agencyId: string,
    url: string,
    events?: string[],
  ): Promise<WebhookView & { secret: string }> {
    const target = assertWebhookUrl(url, this.allowPrivateTargets);
    const unknown = (events ?? []).filter((e) => !(RECEIPT_TYPES as readonly string[]).includes(e));
    if (unknown.length > 0)
      throw invalid('webhook.unknown_event', `unknown event type(s): ${unknown.join(', ')}`);
    const id = uuidv7();
    const secret = newWebhookSecret();
    const { current } = this.masterKeys;
    const row = await this.db.transaction(async (m) => {
      // The agency's row lock serialises concurrent creations, so the cap holds under a race.
      // The count is its own statement: under READ COMMITTED it then sees what the creation
      // that held the lock committed (a subquery of the locking statement would not).
      await m.query('SELECT 1 FROM agencies WHERE id = $1 FOR UPDATE', [agencyId]);
      const [{ active }] = (await m.query(
        'SELECT count(*)::int AS active FROM webhooks WHERE agency_id = $1 AND deleted_at IS NULL',
        [agencyId],
      )) as { active: number }[];
      if (active >= this.maxPerAgency) {
        throw new DomainError(
          409,
          'webhook.limit_reached',
          `This agency already has ${active} webhooks, the most allowed (${this.maxPerAgency}); delete one first`,
          { limit: this.maxPerAgency },
        );
      }
      const [inserted] = (await m.query(
        `INSERT INTO webhooks (id, agency_id, url, events, sealed_secret, master_key_version)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id, url, events, created_at`,
        [
          id,
          agencyId,
          target.toString(),
          events ?? null,
          seal(current.key, Buffer.from(secret), secretAad(id)),
          current.version,
        ],
      )) as WebhookRow[];
      return inserted;
    });
    return { ...view(row), secret };
  }

  async list(agencyId: string): Promise<{ items: WebhookView[]; nextCursor: null }> {
    const rows = (await this.db.query(
      'SELECT id, url, events, created_at FROM webhooks WHERE agency_id = $1 AND deleted_at IS NULL ORDER BY id',
      [agencyId],
    )) as WebhookRow[];
    return { items: rows.map(view), nextCursor: null };
  }

  async remove(agencyId: string, id: string): Promise<void> {
    const [, count] = (await this.db.query(
      'UPDATE webhooks SET deleted_at = now() WHERE id = $1 AND agency_id = $2 AND deleted_at IS NULL',
      [id, agencyId],
    )) as [unknown, number];
    if (count === 0) throw notFound('webhook');
  }

  /** Deliveries of one endpoint, newest first, e.g. `status=failed` to see what gave up. */
  async deliveries(
    agencyId: string,
    webhookId: string,
    status: string | undefined,
    limit: number,
    cursor?: string,
  ) {
    const [own] = (await this.db.query('SELECT 1 FROM webhooks WHERE id = $1 AND agency_id = $2', [
      webhookId,
      agencyId,
    ])) as unknown[];
    if (!own) throw notFound('webhook');
    const after = decodeCursor(cursor, ['logIndex']);
    const params: unknown[] = [webhookId, limit + 1];
    let where = 'd.webhook_id = $1';
    if (status) {
      params.push(status);
      where += ` AND d.status = $${params.length}`;
    }
    if (after) {
      params.push(after[0]);
      where += ` AND d.log_index < $${params.length}`;
    }
    const rows = (await this.db.query(
      `SELECT d.receipt_id, d.log_index, d.status, d.attempts, d.last_error, d.created_at, d.finished_at, l.type, l.letter_id
         FROM webhook_deliveries d JOIN receipt_log l ON l.log_index = d.log_index AND l.receipt_id = d.receipt_id
        WHERE ${where} ORDER BY d.log_index DESC LIMIT $2`,
      params,
    )) as {
      receipt_id: string;
      log_index: string;
      status: string;
      attempts: number;
      last_error: string | null;
      created_at: Date;
      finished_at: Date | null;
      type: string;
      letter_id: string;
    }[];
    const page = rows.slice(0, limit);
    return {
      items: page.map((r) => ({
        eventId: r.receipt_id,
        type: r.type,
        letterId: r.letter_id,
        logIndex: Number(r.log_index),
        status: r.status,
        attempts: r.attempts,
        lastError: r.last_error,
        createdAt: r.created_at.toISOString(),
        finishedAt: r.finished_at?.toISOString() ?? null,
      })),
      nextCursor:
        rows.length > limit ? encodeCursor([Number(page[page.length - 1].log_index)]) : null,
    };
  }

  secretOf(row: { id: string; sealed_secret: Buffer; master_key_version: number }): string {
    return unseal(
      this.masterKeys.byVersion(row.master_key_version),
      row.sealed_secret,
      secretAad(row.id),
    ).toString();
  }
}
