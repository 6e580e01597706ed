/**
 * The PostgreSQL and Redis settings a run measured with. A development server may run without
 * autovacuum or Redis persistence, which flatters the figures; the report says which it was.
 */
import { Redis } from 'ioredis';
import { sql } from './db';

export interface ServerSettings {
  postgres: { autovacuum: string; synchronousCommit: string; fsync: string };
  redis: { appendonly: string; appendfsync: string };
}

/** What production runs with; anything else is named in the report. */
const PRODUCTION = { autovacuum: 'on', appendonly: 'yes' };

export async function serverSettings(dbUrl: string, redisUrl: string): Promise<ServerSettings> {
  const [pg] = await sql<{ autovacuum: string; synchronous_commit: string; fsync: string }>(
    dbUrl,
    `SELECT current_setting('autovacuum') AS autovacuum,
            current_setting('synchronous_commit') AS synchronous_commit,
            current_setting('fsync') AS fsync`,
  );
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
  try {
    await redis.connect();
    const get = async (name: string) =>
      ((await redis.config('GET', name)) as string[])[1] ?? 'unknown';
    return {
      postgres: {
        autovacuum: pg.autovacuum,
        synchronousCommit: pg.synchronous_commit,
        fsync: pg.fsync,
      },
      redis: { appendonly: await get('appendonly'), appendfsync: await get('appendfsync') },
    };
  } finally {
    redis.disconnect();
  }
}

/** One line for the report, saying whether the settings are production's. */
export function describeSettings(s: ServerSettings): string {
  const unlike = [
    ...(s.postgres.autovacuum === PRODUCTION.autovacuum ? [] : ['PostgreSQL autovacuum off']),
    ...(s.redis.appendonly === PRODUCTION.appendonly ? [] : ['Redis without AOF']),
  ];
  return (
    `Servers: PostgreSQL autovacuum ${s.postgres.autovacuum}, synchronous_commit ${s.postgres.synchronousCommit}, fsync ${s.postgres.fsync}; ` +
    `Redis appendonly ${s.redis.appendonly}, appendfsync ${s.redis.appendfsync}` +
    (unlike.length === 0
      ? ' (production settings)'
      : ` (NOT production settings: ${unlike.join(', ')}; figures may differ from production's)`)
  );
}
