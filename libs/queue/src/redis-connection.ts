import { Redis, type RedisOptions } from 'ioredis';

/**
 * The API's producer connection fails fast: with Redis down a submission still succeeds, and the
 * outbox relay hands the job over later (DESIGN "Delivery without loss or duplicates").
 */
export function producerConnection(url: string): Redis {
  return new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    commandTimeout: 2_000,
    retryStrategy: (times) => Math.min(times * 200, 2_000),
    lazyConnect: false,
  } satisfies RedisOptions);
}

/** Workers block on Redis and must keep retrying forever through an outage. */
export function workerConnection(url: string): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: null,
    enableOfflineQueue: true,
    retryStrategy: (times) => Math.min(times * 200, 2_000),
  });
}
