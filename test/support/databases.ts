import { Client } from 'pg';
import { randomBytes } from 'node:crypto';

/**
 * One run's databases share a run id, so test runs started at the same time (two terminals)
 * neither share a template nor drop each other's databases. The id travels to Jest's workers
 * through the environment, which they inherit from the process that ran the global setup.
 */
export function runId(): string {
  // The start time leads the id, so a later run can tell an abandoned run's databases by age.
  process.env.POSTKASSE_TEST_RUN ??= `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  return process.env.POSTKASSE_TEST_RUN;
}

/** When the run that made this database started, or null for a name of another form. */
export function startedAt(databaseName: string): number | null {
  const match = /^postkasse_test_([0-9a-z]{8})[0-9a-f]{4}_/.exec(databaseName);
  return match ? parseInt(match[1], 36) : null;
}

export function templateDatabase(): string {
  return `postkasse_test_${runId()}_template`;
}

export function serverUrl(): string {
  return process.env.DATABASE_URL ?? 'postgresql://postkasse:postkasse@127.0.0.1:5432/postkasse';
}

export function databaseUrl(name: string): string {
  const url = new URL(serverUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

export async function admin<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: databaseUrl('postgres') });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Each test file gets its own database, copied from the migrated template in milliseconds. */
export async function createTestDatabase(): Promise<{
  name: string;
  url: string;
  drop: () => Promise<void>;
}> {
  const name = `postkasse_test_${runId()}_${randomBytes(4).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name} TEMPLATE ${templateDatabase()}`));
  return {
    name,
    url: databaseUrl(name),
    drop: () =>
      admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}
