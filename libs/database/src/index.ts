export * from './entities';
export { createDataSource, dataSourceOptions } from './data-source';
export { ensureDatabase } from './ensure-database';
export { isUniqueViolation, isConnectionError } from './pg-errors';
export { partitionTables, unpartitionTables, createPartitionsAhead } from './partitioning';
