import type { MigrationInterface, QueryRunner } from 'typeorm';

export class OutboxDueAt1764900000000 implements MigrationInterface {
  name = 'OutboxDueAt1764900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      -- When the job should run (NULL: at once). The hand-over and the relay give BullMQ the
      -- delay left, so a reminder waits in the delayed set from the start instead of running
      -- at delivery only to be put back there.
      ALTER TABLE outbox ADD COLUMN due_at timestamptz;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE outbox DROP COLUMN due_at;');
  }
}
