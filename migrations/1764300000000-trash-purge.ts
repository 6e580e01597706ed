import type { MigrationInterface, QueryRunner } from 'typeorm';

export class TrashPurge1764300000000 implements MigrationInterface {
  name = 'TrashPurge1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      -- A letter purged from the trash keeps its row (its receipts point at it) but loses its
      -- documents and disappears from the mailbox.
      ALTER TABLE letters ADD COLUMN purged_at timestamptz;
      CREATE INDEX letters_trash ON letters (trashed_at) WHERE folder = 'trash' AND purged_at IS NULL;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX letters_trash; ALTER TABLE letters DROP COLUMN purged_at;`);
  }
}
