export * from './queues';
export { JobProducer, RedisUnavailableError, type JobRequest } from './job-producer';
export { producerConnection, workerConnection } from './redis-connection';
export { Outbox, type OutboxRow } from './outbox';
