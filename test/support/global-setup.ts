// Jest loads global setup outside its module map, so `#database` resolves through package.json
// "imports" to the build in dist/: `npm test` builds before it runs Jest.
import { createDataSource } from '#database';
import { admin, databaseUrl, startedAt, templateDatabase } from './databases';

/**
 * Runs the real migrations once into this run's template database; every test file then copies
 * it. Databases of earlier runs that nobody is connected to any more are dropped.
 */
export default async function globalSetup(): Promise<void> {
  if ((globalThis as { __postkasseTemplateReady?: boolean }).__postkasseTemplateReady) return;
  const template = templateDatabase();
  await admin(async (c) => {
    // Another run may be going on beside this one: only databases of runs that started hours
    // ago and that nobody uses any more are left-overs to drop.
    const candidates = await c.query<{ datname: string }>(
      `SELECT d.datname FROM pg_database d
        WHERE d.datname LIKE 'postkasse\\_test\\_%'
          AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datname = d.datname)`,
    );
    const abandoned = candidates.rows.filter((r) => {
      const started = startedAt(r.datname);
      return started === null || Date.now() - started > 3 * 3600_000;
    });
    for (const { datname } of abandoned) {
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
