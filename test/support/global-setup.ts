// Jest loads global setup outside its module map, so `#database` resolves through package.json
// "imports" to the build in dist/: `npm test` builds before it runs Jest.
import { createDataSource } from '#database';
import { admin, databaseUrl, runId, templateDatabase } from './databases';

/**
 * Runs the real migrations once into this run's template database; every test file then copies
 * it. Databases of earlier runs that nobody is connected to any more are dropped.
 */
export default async function globalSetup(): Promise<void> {
  if ((globalThis as { __postkasseTemplateReady?: boolean }).__postkasseTemplateReady) return;
  const template = templateDatabase();
  await admin(async (c) => {
    const stale = await c.query<{ datname: string }>(
      `SELECT d.datname FROM pg_database d
        WHERE d.datname LIKE 'postkasse\\_test\\_%' AND d.datname NOT LIKE $1
          AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datname = d.datname)`,
      [`postkasse\\_test\\_${runId()}\\_%`],
    );
    for (const { datname } of stale.rows) {
      await c.query(`DROP DATABASE IF EXISTS ${datname}`).catch(() => undefined);
    }
    await c.query(`CREATE DATABASE ${template}`);
  });
  const db = createDataSource(databaseUrl(template), 1);
  await db.initialize();
  await db.runMigrations({ transaction: 'each' });
  await db.destroy();
  (globalThis as { __postkasseTemplateReady?: boolean }).__postkasseTemplateReady = true;
}
