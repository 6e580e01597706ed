import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';

/** One Redis server or a Redis Cluster: BullMQ and the request limits take either. */
export type RedisClient = Redis | Cluster;

/** Redis Cluster seed nodes (`REDIS_CLUSTER_NODES`); null or absent: one server at the URL. */
export type ClusterNodes = readonly { host: string; port: number }[] | null | undefined;

const retry = (times: number) => Math.min(times * 200, 2_000);

/**
 * The same options for one server or every node of a cluster. A cluster client keeps its own
 * offline queue in front of the nodes' (each node then has none of its own), and credentials in
 * the URL (`redis://user:password@…`) apply to every node.
 */
function connect(url: string, nodes: ClusterNodes, options: RedisOptions): RedisClient {
  if (!nodes || nodes.length === 0) return new Redis(url, options);
  const { username, password } = new URL(url);
  const { enableOfflineQueue, retryStrategy, ...perNode } = options;
  return new Cluster([...nodes], {
    enableOfflineQueue,
    clusterRetryStrategy: retryStrategy,
    // A failed master's slots move to its replica: refresh the map rather than give up.
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 300,
    slotsRefreshTimeout: 2_000,
    redisOptions: {
      ...perNode,
      ...(username ? { username: decodeURIComponent(username) } : {}),
      ...(password ? { password: decodeURIComponent(password) } : {}),
    },
  } satisfies ClusterOptions);
}

/**
 * The API's producer connection fails fast: with Redis down a submission still succeeds, and the
 * outbox relay hands the job over later (DESIGN "Delivery without loss or duplicates").
 */
export function producerConnection(url: string, nodes?: ClusterNodes): RedisClient {
  return connect(url, nodes, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    commandTimeout: 2_000,
    retryStrategy: retry,
    lazyConnect: false,
  });
}

/** Workers block on Redis and must keep retrying forever through an outage. */
export function workerConnection(url: string, nodes?: ClusterNodes): RedisClient {
  return connect(url, nodes, {
    maxRetriesPerRequest: null,
    enableOfflineQueue: true,
    retryStrategy: retry,
  });
}
