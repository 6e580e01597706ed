import { v7 as uuidv7 } from 'uuid';
import type { DataSource } from 'typeorm';

/** One period during which a key signed for its agency: `revokedAt` null while it still does. */
export interface SigningKeyInterval {
  fingerprint: string;
  addedAt: Date;
  revokedAt: Date | null;
}

interface IntervalRow {
  fingerprint: string;
  added_at: Date;
  revoked_at: Date | null;
}

const interval = (r: IntervalRow): SigningKeyInterval => ({
  fingerprint: r.fingerprint,
  addedAt: r.added_at,
  revokedAt: r.revoked_at,
});

/**
 * An agency's signing keys as a history of validity intervals, one row each (DESIGN
 * "Encryption and signatures": a signature is checked against the keys valid at the time of
 * sending). A revocation is never undone: adding the key again opens a new interval, so a
 * letter sent in between stays unverifiable.
 */
export class SigningKeyHistory {
  constructor(private readonly db: DataSource) {}

  /** Opens an interval from now; a key already valid keeps its open interval (`opened` false). */
  async add(
    agencyId: string,
    key: { fingerprint: string; armored: string },
  ): Promise<{ opened: boolean; interval: SigningKeyInterval }> {
    const inserted = (await this.db.query(
      `INSERT INTO agency_signing_keys (id, agency_id, fingerprint, public_key) VALUES ($1, $2, $3, $4)
       ON CONFLICT (agency_id, fingerprint) WHERE revoked_at IS NULL DO NOTHING
       RETURNING fingerprint, added_at, revoked_at`,
      [uuidv7(), agencyId, key.fingerprint, key.armored],
    )) as IntervalRow[];
    if (inserted[0]) return { opened: true, interval: interval(inserted[0]) };
    const [open] = (await this.db.query(
      `SELECT fingerprint, added_at, revoked_at FROM agency_signing_keys
        WHERE agency_id = $1 AND fingerprint = $2 AND revoked_at IS NULL`,
      [agencyId, key.fingerprint],
    )) as IntervalRow[];
    // Revoked between the insert and this read: adding again is the caller's decision.
    if (!open) throw new Error(`signing key ${key.fingerprint} was revoked while being added`);
    return { opened: false, interval: interval(open) };
  }

  /** Closes the open interval; null when the key is not valid now. */
  async revoke(agencyId: string, fingerprint: string): Promise<SigningKeyInterval | null> {
    // TypeORM answers an UPDATE with [rows, count].
    const [closed] = (await this.db.query(
      `UPDATE agency_signing_keys SET revoked_at = now()
        WHERE agency_id = $1 AND fingerprint = $2 AND revoked_at IS NULL
        RETURNING fingerprint, added_at, revoked_at`,
      [agencyId, fingerprint.toLowerCase()],
    )) as [IntervalRow[], number];
    return closed[0] ? interval(closed[0]) : null;
  }

  /** Every interval of the agency's keys, oldest first. */
  async history(agencyId: string): Promise<SigningKeyInterval[]> {
    const rows = (await this.db.query(
      `SELECT fingerprint, added_at, revoked_at FROM agency_signing_keys
        WHERE agency_id = $1 ORDER BY added_at, fingerprint`,
      [agencyId],
    )) as IntervalRow[];
    return rows.map(interval);
  }
}
