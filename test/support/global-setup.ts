import { createDataSource } from '#database';
import { TEMPLATE_DATABASE, admin, databaseUrl } from './databases';

/**
 * Runs the real migrations once into a template database; every test file then copies it.
 * Old test databases left by an interrupted run are dropped first.
 */
export default async function globalSetup(): Promise<void> {
  if ((globalThis as { __postkasseTemplateReady?: boolean }).__postkasseTemplateReady) return;
  await admin(async (c) => {
    const stale = await c.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE 'postkasse_test_%'`,
    );
    for (const { datname } of stale.rows)
      await c.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${TEMPLATE_DATABASE}`);
  });
  const db = createDataSource(databaseUrl(TEMPLATE_DATABASE), 1);
  await db.initialize();
  await db.runMigrations({ transaction: 'each' });
  await db.destroy();
  (globalThis as { __postkasseTemplateReady?: boolean }).__postkasseTemplateReady = true;
}
