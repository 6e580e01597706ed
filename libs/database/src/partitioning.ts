import { DataSource } from 'typeorm';
import { PARTITIONING_MIGRATIONS } from '../../../migrations/partitioning';
import { createDataSource, dataSourceOptions } from './data-source';

/**
 * The partitioning migrations (docs/scaling.md) are opt-in: they keep a migrations table of their
 * own, so `db migrate` neither applies them nor mistakes them for migrations it does not know.
 */
function partitioningDataSource(url: string): DataSource {
  return new DataSource({
    ...dataSourceOptions(url, 1),
    migrations: PARTITIONING_MIGRATIONS,
    migrationsTableName: 'schema_migrations_partitioning',
  });
}

/** Applies the partitioning migrations not yet applied; returns their names. */
export async function partitionTables(url: string): Promise<string[]> {
  // The partitioning reshapes the tables as migrations/ leaves them, so it comes after all of them.
  const plain = await createDataSource(url, 1).initialize();
  try {
    if (await plain.showMigrations())
      throw new Error('the database has pending migrations: run `db migrate` first');
  } finally {
    await plain.destroy();
  }
  const db = await partitioningDataSource(url).initialize();
  try {
    const applied = await db.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await db.destroy();
  }
}

/** Reverts the last partitioning migration, moving the rows back into plain tables. */
export async function unpartitionTables(url: string): Promise<string | null> {
  const db = await partitioningDataSource(url).initialize();
  try {
    const [table] = texts(
      await db.query(`SELECT to_regclass('schema_migrations_partitioning')::text AS v`),
    );
    if (!table) return null;
    const [last] = texts(
      await db.query(
        'SELECT name AS v FROM schema_migrations_partitioning ORDER BY timestamp DESC LIMIT 1',
      ),
    );
    if (!last) return null;
    await db.undoLastMigration({ transaction: 'each' });
    return last;
  } finally {
    await db.destroy();
  }
}

/** Creates the partitions of the coming months and of the log's next indexes; returns their names. */
export async function createPartitionsAhead(
  db: DataSource,
  monthsAhead: number,
): Promise<string[]> {
  return texts(await db.query('SELECT postkasse_create_partitions($1) AS v', [monthsAhead]));
}

/** The non-null text values of column `v`: this layer's only result shape, checked, not cast. */
function texts(rows: unknown): string[] {
  if (!Array.isArray(rows)) throw new TypeError('expected rows');
  return rows.flatMap((row: unknown) => {
    const v = (row as Record<string, unknown> | null)?.v;
    return typeof v === 'string' ? [v] : [];
  });
}
