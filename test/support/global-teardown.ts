import { admin, runId } from './databases';

/** Drops what this run made; a run that was killed leaves its databases to the next setup. */
export default async function globalTeardown(): Promise<void> {
  await admin(async (c) => {
    const mine = await c.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE $1`,
      [`postkasse\\_test\\_${runId()}\\_%`],
    );
    for (const { datname } of mine.rows) {
      await c.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`).catch(() => undefined);
    }
  });
}
