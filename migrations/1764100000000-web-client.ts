import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * End-to-end encryption from the web client: besides its public key (already a column), a
 * mailbox may keep the citizen's private key, encrypted with their passphrase in the browser,
 * so that another device can unlock it.
 */
export class WebClient1764100000000 implements MigrationInterface {
  name = 'WebClient1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE mailboxes
        ADD COLUMN encrypted_private_key text,
        ADD COLUMN public_key_fingerprint text,
        ADD COLUMN key_updated_at timestamptz
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE mailboxes DROP COLUMN encrypted_private_key, DROP COLUMN public_key_fingerprint,
        DROP COLUMN key_updated_at
    `);
  }
}
