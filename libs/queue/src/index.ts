export * from './queues';
export { JobProducer, RedisUnavailableError, type JobRequest } from './job-producer';
export {
  producerConnection,
  workerConnection,
  type ClusterNodes,
  type RedisClient,
} from './redis-connection';
export { Outbox, type OutboxRow } from './outbox';
