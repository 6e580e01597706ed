import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Notifications1764000000000 implements MigrationInterface {
  name = 'Notifications1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      -- One row per letter and kind of email. A send is claimed ('sending') in its own commit
      -- before the SMTP transaction and recorded ('sent') after it, so a job that runs twice
      -- never sends twice (docs/notifications.md: at most once).
      CREATE TABLE notification_sends (
        letter_id uuid NOT NULL REFERENCES letters(id),
        kind text NOT NULL CHECK (kind IN ('notify', 'reminder')),
        state text NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'failed')),
        attempts int NOT NULL DEFAULT 0,
        last_error text,
        message_id text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz,
        PRIMARY KEY (letter_id, kind)
      );

      -- Confirmation links for a notification address: the token is stored as its SHA-256 only,
      -- used once, and expires.
      CREATE TABLE email_confirmations (
        id uuid PRIMARY KEY,
        mailbox_id uuid NOT NULL REFERENCES mailboxes(id),
        email text NOT NULL,
        token_sha256 bytea NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        used_at timestamptz
      );
      CREATE INDEX email_confirmations_mailbox ON email_confirmations (mailbox_id);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE email_confirmations, notification_sends');
  }
}
