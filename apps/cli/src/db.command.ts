import { parseArgs } from 'node:util';
import {
  createDataSource,
  createPartitionsAhead,
  ensureDatabase,
  partitionTables,
  unpartitionTables,
} from '#database';
import { UsageError, type CliContext } from './context';

export const USAGE = `usage: db migrate | db partition | db unpartition | db partitions-ahead [--months N]`;

/**
 * `db migrate`: creates the database when missing and applies pending migrations.
 * `db partition` / `db unpartition`: the opt-in partitioning of docs/scaling.md, and its undoing.
 * `db partitions-ahead`: the partitions of the coming months, for cron.
 */
export async function dbCommand(
  ctx: CliContext,
  sub: string | undefined,
  args: string[] = [],
): Promise<void> {
  switch (sub) {
    case 'migrate':
      return migrate(ctx);
    case 'partition': {
      const applied = await partitionTables(ctx.config.databaseUrl);
      console.log(
        applied.length === 0 ? 'Tables are already partitioned' : `Applied ${applied.join(', ')}`,
      );
      return;
    }
    case 'unpartition': {
      const reverted = await unpartitionTables(ctx.config.databaseUrl);
      console.log(reverted ? `Reverted ${reverted}` : 'Tables are not partitioned');
      return;
    }
    case 'partitions-ahead': {
      const { values } = parseArgs({ args, options: { months: { type: 'string', default: '3' } } });
      const months = Number(values.months);
      if (!Number.isInteger(months) || months < 0)
        throw new UsageError('--months is a whole number');
      const created = await createPartitionsAhead(await ctx.db(), months);
      console.log(created.length === 0 ? 'No partition needed' : `Created ${created.join(', ')}`);
      return;
    }
    default:
      throw new UsageError(USAGE);
  }
}

async function migrate(ctx: CliContext): Promise<void> {
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
