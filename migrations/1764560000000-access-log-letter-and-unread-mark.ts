import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AccessLogLetterAndUnreadMark1764560000000 implements MigrationInterface {
  name = 'AccessLogLetterAndUnreadMark1764560000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      -- The letter an entry is about (an auditor's look at one letter's evidence), so the citizen
      -- sees which one. No foreign key: on the partitioned schema letters' key includes its range.
      ALTER TABLE access_log ADD COLUMN letter_id uuid;
      -- "Mark as unread" is the citizen's own reminder: read_at stays, because the read receipt
      -- the sender got is a fact that a later click does not undo.
      ALTER TABLE letters ADD COLUMN marked_unread boolean NOT NULL DEFAULT false;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE letters DROP COLUMN marked_unread;
      ALTER TABLE access_log DROP COLUMN letter_id;
    `);
  }
}
