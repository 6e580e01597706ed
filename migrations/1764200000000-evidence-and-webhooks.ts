import type { MigrationInterface, QueryRunner } from 'typeorm';

export class EvidenceAndWebhooks1764200000000 implements MigrationInterface {
  name = 'EvidenceAndWebhooks1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      -- Outbox rows now name any subject: a letter, or a webhook delivery.
      ALTER TABLE outbox RENAME COLUMN letter_id TO subject_id;

      CREATE TABLE webhooks (
        id uuid PRIMARY KEY,
        agency_id uuid NOT NULL REFERENCES agencies(id),
        url text NOT NULL,
        events text[],
        -- The signing secret, sealed under the master key (it must be usable, so not hashed).
        sealed_secret bytea NOT NULL,
        master_key_version int NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz
      );
      CREATE INDEX webhooks_agency ON webhooks (agency_id) WHERE deleted_at IS NULL;

      CREATE TABLE webhook_deliveries (
        id uuid PRIMARY KEY,
        webhook_id uuid NOT NULL REFERENCES webhooks(id),
        receipt_id uuid NOT NULL REFERENCES receipts(id),
        log_index bigint NOT NULL,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed', 'cancelled')),
        attempts int NOT NULL DEFAULT 0,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        UNIQUE (webhook_id, receipt_id)
      );
      CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, log_index);
      CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (created_at) WHERE status = 'pending';
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE webhook_deliveries, webhooks;
      ALTER TABLE outbox RENAME COLUMN subject_id TO letter_id;
    `);
  }
}
