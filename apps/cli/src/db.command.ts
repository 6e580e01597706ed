import { createDataSource, ensureDatabase } from '#database';
import type { CliContext } from './context';

/** `db migrate`: creates the database when missing and applies pending migrations. */
export async function dbCommand(ctx: CliContext, sub: string | undefined): Promise<void> {
  if (sub !== 'migrate') throw new Error('usage: db migrate');
  await ensureDatabase(ctx.config.databaseUrl);
  const db = await createDataSource(ctx.config.databaseUrl, 1).initialize();
  try {
    const applied = await db.runMigrations({ transaction: 'each' });
    console.log(
      applied.length === 0
        ? 'Database is up to date'
        : `Applied ${applied.map((m) => m.name).join(', ')}`,
    );
  } finally {
    await db.destroy();
  }
}
