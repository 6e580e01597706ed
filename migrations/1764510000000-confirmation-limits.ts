import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ConfirmationLimits1764510000000 implements MigrationInterface {
  name = 'ConfirmationLimits1764510000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      -- Confirmation mails are limited per target address across all mailboxes. The address is
      -- counted case-folded and without a "+tag", which most mail systems deliver to the same
      -- inbox, so tagging an address buys no extra mails to it.
      ALTER TABLE email_confirmations ADD COLUMN address_key text
        GENERATED ALWAYS AS (lower(regexp_replace(email, '\\+[^@]*@', '@'))) STORED;
      CREATE INDEX email_confirmations_address_recent ON email_confirmations (address_key, created_at);
      CREATE INDEX email_confirmations_mailbox_recent ON email_confirmations (mailbox_id, created_at);
      DROP INDEX email_confirmations_mailbox;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE INDEX email_confirmations_mailbox ON email_confirmations (mailbox_id);
      DROP INDEX email_confirmations_mailbox_recent;
      ALTER TABLE email_confirmations DROP COLUMN address_key;
    `);
  }
}
