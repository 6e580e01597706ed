import { Client } from 'pg';
import { randomBytes } from 'node:crypto';

/**
 * One run's databases share a run id, so test runs started at the same time (two terminals)
 * neither share a template nor drop each other's databases. The id travels to Jest's workers
 * through the environment, which they inherit from the process that ran the global setup.
 */
export function runId(): string {
  process.env.POSTKASSE_TEST_RUN ??= randomBytes(3).toString('hex');
  return process.env.POSTKASSE_TEST_RUN;
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
