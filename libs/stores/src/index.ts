export { Sql, type Row, type Executed } from './sql';
export * as col from './columns';
export { ColumnTypeError } from './columns';
export * from './receipts.store';
export * from './outbox.store';
export * from './webhooks.store';
export * from './letters.store';
export * from './notifications.store';
export * from './agencies.store';
