import { Client } from 'pg';

/** The PostgreSQL server the benchmarks use: DATABASE_URL's server, or the development default. */
export const SERVER =
  process.env.DATABASE_URL ?? 'postgresql://postkasse:postkasse@127.0.0.1:5432/postkasse';

export function dbUrl(name: string): string {
  const url = new URL(SERVER);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function sql<T = Record<string, unknown>>(
  url: string,
  text: string,
  params: unknown[] = [],
): Promise<T[]> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text, params)).rows as T[];
  } finally {
    await c.end();
  }
}

export const admin = (text: string) => sql(dbUrl('postgres'), text).then(() => undefined);
