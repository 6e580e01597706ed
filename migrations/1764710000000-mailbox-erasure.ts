import type { MigrationInterface, QueryRunner } from 'typeorm';

export class MailboxErasure1764710000000 implements MigrationInterface {
  name = 'MailboxErasure1764710000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      -- When an operator erased the mailbox by destroying its keys (crypto-shredding). The
      -- receipts and the logs stay; the check keeps an erased mailbox from holding a key again.
      ALTER TABLE mailboxes ADD COLUMN erased_at timestamptz;
      ALTER TABLE mailboxes ADD CONSTRAINT mailboxes_erased_without_keys CHECK (
        erased_at IS NULL
        OR (wrapped_data_key IS NULL AND public_key IS NULL AND encrypted_private_key IS NULL)
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE mailboxes DROP CONSTRAINT mailboxes_erased_without_keys;
      ALTER TABLE mailboxes DROP COLUMN erased_at;
    `);
  }
}
