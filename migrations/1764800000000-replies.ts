import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Replies1764800000000 implements MigrationInterface {
  name = 'Replies1764800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      -- What an agency receives is encrypted to a key of its own, kept beside its signing keys
      -- with the same history: one open interval at a time, a new key closes the previous one.
      CREATE TABLE agency_encryption_keys (
        id uuid PRIMARY KEY,
        agency_id uuid NOT NULL REFERENCES agencies(id),
        fingerprint text NOT NULL,
        public_key text NOT NULL,
        added_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      );
      CREATE UNIQUE INDEX agency_encryption_keys_current
        ON agency_encryption_keys (agency_id) WHERE revoked_at IS NULL;
      -- Whether citizens may write to the agency unprompted, and on which topics.
      ALTER TABLE agencies
        ADD COLUMN accepts_messages boolean NOT NULL DEFAULT false,
        ADD COLUMN message_topics text[] NOT NULL DEFAULT '{}';

      -- Replies and new messages from citizens: ciphertext only, the platform holds no key to it.
      CREATE TABLE replies (
        id uuid PRIMARY KEY,
        agency_id uuid NOT NULL REFERENCES agencies(id),
        mailbox_id uuid NOT NULL REFERENCES mailboxes(id),
        -- The letter answered; null for a new message, which names a topic instead.
        letter_id uuid REFERENCES letters(id),
        topic text,
        -- On what footing the writer acted for the mailbox (owner, grantee, ...).
        actor_role text NOT NULL,
        encryption_key_fingerprint text NOT NULL,
        -- The reply_received receipt: its log index is the agency's feed position.
        received_receipt_id uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK (letter_id IS NOT NULL OR topic IS NOT NULL)
      );
      CREATE INDEX replies_letter ON replies (letter_id, created_at);
      CREATE INDEX replies_mailbox ON replies (mailbox_id, created_at);
      CREATE INDEX replies_agency ON replies (agency_id, created_at);
      CREATE UNIQUE INDEX replies_received_receipt ON replies (received_receipt_id);

      CREATE TABLE reply_documents (
        id uuid PRIMARY KEY,
        reply_id uuid NOT NULL REFERENCES replies(id) ON DELETE CASCADE,
        position int NOT NULL,
        filename text NOT NULL,
        media_type text NOT NULL,
        content bytea NOT NULL,
        sha256 bytea NOT NULL,
        UNIQUE (reply_id, position)
      );

      -- A new message to an agency has receipts but no letter: its receipts' letter_id is the
      -- message's own id (the thread it starts), so receipts no longer reference letters. The
      -- log has never referenced them either.
      ALTER TABLE receipts DROP CONSTRAINT IF EXISTS receipts_letter_id_fkey;

      -- A letter may allow replies (until a time), and may answer one.
      ALTER TABLE letters
        ADD COLUMN replies_allowed boolean NOT NULL DEFAULT false,
        ADD COLUMN replies_until timestamptz,
        ADD COLUMN in_reply_to uuid REFERENCES replies(id);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE letters DROP COLUMN in_reply_to, DROP COLUMN replies_until, DROP COLUMN replies_allowed;
      -- NOT VALID: the receipts of messages stay in the insert-only log, and in receipts with it.
      ALTER TABLE receipts ADD CONSTRAINT receipts_letter_id_fkey
        FOREIGN KEY (letter_id) REFERENCES letters(id) NOT VALID;
      DROP TABLE reply_documents, replies;
      ALTER TABLE agencies DROP COLUMN message_topics, DROP COLUMN accepts_messages;
      DROP TABLE agency_encryption_keys;
    `);
  }
}
