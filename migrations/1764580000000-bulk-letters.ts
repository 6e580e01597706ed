import type { MigrationInterface, QueryRunner } from 'typeorm';

export class BulkLetters1764580000000 implements MigrationInterface {
  name = 'BulkLetters1764580000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      -- Letters that came in a batch are delivered from a queue of their own; the reconciler
      -- reads this to re-create a lost job on that queue, not on the one for single letters.
      ALTER TABLE letters ADD COLUMN bulk boolean NOT NULL DEFAULT false;
      -- The whole answer to a batch request, replayed for the same Idempotency-Key and body.
      -- Its letters' own keys are in idempotency_keys, as a single letter's are.
      CREATE TABLE letter_batches (
        agency_id uuid NOT NULL REFERENCES agencies(id),
        key text NOT NULL,
        request_sha256 bytea NOT NULL,
        response jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (agency_id, key)
      );
      CREATE INDEX letter_batches_created ON letter_batches (created_at);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE letter_batches;
      ALTER TABLE letters DROP COLUMN bulk;
    `);
  }
}
