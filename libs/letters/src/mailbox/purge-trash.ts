import type { DataSource } from 'typeorm';
import { LettersStore, Sql } from '#stores';

/**
 * Letters left in the trash past the retention period lose their documents and leave the
 * mailbox (DESIGN: "purged after the retention period"). The letter row and its receipts stay:
 * they are the evidence, and hold only hashes.
 */
export function purgeTrash(db: DataSource, retentionDays: number, batch = 500): Promise<number> {
  return new Sql(db).transaction((tx) => new LettersStore().purgeTrash(tx, retentionDays, batch));
}
