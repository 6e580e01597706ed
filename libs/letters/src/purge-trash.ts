import type { DataSource } from 'typeorm';

/**
 * Letters left in the trash past the retention period lose their documents and leave the
 * mailbox (DESIGN: "purged after the retention period"). The letter row and its receipts stay:
 * they are the evidence, and hold only hashes.
 */
export async function purgeTrash(
  db: DataSource,
  retentionDays: number,
  batch = 500,
): Promise<number> {
  return db.transaction(async (m) => {
    const rows = (await m.query(
      `SELECT id FROM letters
        WHERE folder = 'trash' AND purged_at IS NULL
          AND trashed_at < now() - make_interval(days => $1)
        ORDER BY trashed_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [retentionDays, batch],
    )) as { id: string }[];
    if (rows.length === 0) return 0;
    const ids = rows.map((r) => r.id);
    await m.query('UPDATE documents SET sealed = NULL, received = NULL WHERE letter_id = ANY($1)', [
      ids,
    ]);
    await m.query('UPDATE letters SET purged_at = now() WHERE id = ANY($1)', [ids]);
    return rows.length;
  });
}
