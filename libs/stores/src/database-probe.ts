import type { Sql } from './sql';

/** Readiness: the database answers a statement. */
export class DatabaseProbe {
  constructor(private readonly sql: Sql) {}

  async ping(): Promise<void> {
    await this.sql.run('SELECT 1');
  }
}
