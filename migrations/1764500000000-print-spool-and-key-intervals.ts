import { v7 as uuidv7 } from 'uuid';
import type { MigrationInterface, QueryRunner } from 'typeorm';

interface KeyRow {
  id: string;
  agency_id: string;
  fingerprint: string;
  added_at: Date;
  revoked_at: Date | null;
}

interface AuditEvent {
  subject: string;
  fingerprint: string;
  action: 'agency.signing_key_added' | 'agency.signing_key_revoked';
  at: Date;
}

/**
 * Two changes of one release:
 * - `letters.spooled_at`: when the print job handed a letter to print, so the reconciler can
 *   tell a forwarded letter whose job Redis lost from one that was printed.
 * - `agency_signing_keys` keeps one row per validity interval. Re-adding a revoked key used to
 *   clear its `revoked_at`; the operator audit log still says when that happened, so the lost
 *   intervals are rebuilt from it.
 */
export class PrintSpoolAndKeyIntervals1764500000000 implements MigrationInterface {
  name = 'PrintSpoolAndKeyIntervals1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE letters ADD COLUMN spooled_at timestamptz;
      CREATE INDEX letters_awaiting_spool ON letters (created_at)
        WHERE state = 'forwarded_to_print' AND spooled_at IS NULL;

      ALTER TABLE agency_signing_keys DROP CONSTRAINT agency_signing_keys_agency_id_fingerprint_key;
      -- At most one open interval per key; closed ones are history and never reopened.
      CREATE UNIQUE INDEX agency_signing_keys_open ON agency_signing_keys (agency_id, fingerprint)
        WHERE revoked_at IS NULL;
      CREATE INDEX agency_signing_keys_history ON agency_signing_keys (agency_id, fingerprint, added_at);
    `);
    await rebuildLostIntervals(q);
    await q.query(`
      ALTER TABLE agency_signing_keys ADD CONSTRAINT agency_signing_keys_interval
        CHECK (revoked_at IS NULL OR revoked_at >= added_at);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    // One row per key again: the earliest start and, unless a newer interval is open, the last end.
    await q.query(`
      ALTER TABLE agency_signing_keys DROP CONSTRAINT agency_signing_keys_interval;
      DROP INDEX agency_signing_keys_history;
      DROP INDEX agency_signing_keys_open;
      WITH merged AS (
        SELECT agency_id, fingerprint, min(added_at) AS added_at,
               CASE WHEN bool_or(revoked_at IS NULL) THEN NULL ELSE max(revoked_at) END AS revoked_at,
               (array_agg(id ORDER BY added_at))[1] AS keep
          FROM agency_signing_keys GROUP BY agency_id, fingerprint
      ), kept AS (
        UPDATE agency_signing_keys k SET added_at = m.added_at, revoked_at = m.revoked_at
          FROM merged m WHERE k.id = m.keep RETURNING k.id
      )
      DELETE FROM agency_signing_keys WHERE id NOT IN (SELECT id FROM kept);
      ALTER TABLE agency_signing_keys ADD CONSTRAINT agency_signing_keys_agency_id_fingerprint_key
        UNIQUE (agency_id, fingerprint);
      DROP INDEX letters_awaiting_spool;
      ALTER TABLE letters DROP COLUMN spooled_at;
    `);
  }
}

/**
 * Replays the audit log's additions and revocations after each key's first addition: a
 * revocation closes the open interval, an addition after it opens a new one. The row's own
 * `revoked_at` is the truth for the last interval.
 */
async function rebuildLostIntervals(q: QueryRunner): Promise<void> {
  const keys = (await q.query(
    'SELECT id, agency_id, fingerprint, added_at, revoked_at FROM agency_signing_keys',
  )) as KeyRow[];
  const events = (await q.query(
    `SELECT subject, details->>'fingerprint' AS fingerprint, action, at FROM operator_audit_log
      WHERE action IN ('agency.signing_key_added', 'agency.signing_key_revoked')
        AND details ? 'fingerprint'
      ORDER BY at, id`,
  )) as AuditEvent[];
  for (const key of keys) {
    const intervals: { from: Date; to: Date | null }[] = [{ from: key.added_at, to: null }];
    for (const e of events) {
      if (e.subject !== key.agency_id || e.fingerprint !== key.fingerprint) continue;
      if (e.at <= key.added_at) continue;
      const open = intervals[intervals.length - 1]!;
      if (e.action === 'agency.signing_key_revoked' && open.to === null) open.to = e.at;
      else if (e.action === 'agency.signing_key_added' && open.to !== null)
        intervals.push({ from: e.at, to: null });
    }
    if (intervals.length === 1) continue;
    const last = intervals[intervals.length - 1]!;
    last.to = key.revoked_at && key.revoked_at < last.from ? last.from : key.revoked_at;
    const [first, ...later] = intervals;
    await q.query('UPDATE agency_signing_keys SET revoked_at = $2 WHERE id = $1', [
      key.id,
      first!.to,
    ]);
    for (const interval of later) {
      await q.query(
        `INSERT INTO agency_signing_keys (id, agency_id, fingerprint, public_key, added_at, revoked_at)
         SELECT $2, agency_id, fingerprint, public_key, $3, $4 FROM agency_signing_keys WHERE id = $1`,
        [key.id, uuidv7(), interval.from, interval.to],
      );
    }
  }
}
