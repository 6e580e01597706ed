import { PartitionLettersAndReceipts1764400000000 } from './1764400000000-partition-letters-and-receipts';

/** Opt-in, applied by `db partition` after MIGRATIONS, with a migrations table of its own. */
export const PARTITIONING_MIGRATIONS = [PartitionLettersAndReceipts1764400000000];
