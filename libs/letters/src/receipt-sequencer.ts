import type { DataSource } from 'typeorm';
import type { JWK } from 'jose';
import { leafHash, signReceipt, type ReceiptPayload } from '#evidence';

/** An arbitrary constant that names the sequencer's advisory lock. */
const SEQUENCER_LOCK = 0x706b5f6c6f67;

/**
 * Gives staged receipts their log index, signs them and appends them to the insert-only log.
 * Several workers may run it; the advisory lock makes exactly one of them sequence at a time,
 * so no two entries ever share an index.
 */
export class ReceiptSequencer {
  constructor(
    private readonly db: DataSource,
    private readonly key: { privateJwk: JWK; kid: string },
  ) {}

  /** Sequences one batch; returns how many receipts were appended (0 when another holds the lock). */
  async sequenceBatch(batch = 500): Promise<number> {
    return this.db.transaction(async (m) => {
      const [{ locked }] = (await m.query('SELECT pg_try_advisory_xact_lock($1) AS locked', [
        SEQUENCER_LOCK,
      ])) as { locked: boolean }[];
      if (!locked) return 0;
      const staged = (await m.query(
        `SELECT id, letter_id, agency_id, type, at, payload FROM receipts
          WHERE log_index IS NULL ORDER BY staged_seq LIMIT $1`,
        [batch],
      )) as {
        id: string;
        letter_id: string;
        agency_id: string;
        type: string;
        at: Date;
        payload: Omit<ReceiptPayload, 'logIndex'>;
      }[];
      if (staged.length === 0) return 0;
      const [{ next }] = (await m.query(
        'SELECT COALESCE(max(log_index) + 1, 0)::bigint AS next FROM receipt_log',
      )) as { next: string }[];
      let index = Number(next);
      const rows: unknown[][] = [];
      for (const receipt of staged) {
        const jws = await signReceipt({ ...receipt.payload, logIndex: index }, this.key);
        rows.push([
          index,
          receipt.id,
          receipt.letter_id,
          receipt.agency_id,
          receipt.type,
          receipt.at,
          leafHash(Buffer.from(jws, 'utf8')),
          jws,
        ]);
        index += 1;
      }
      await m.query(
        `INSERT INTO receipt_log (log_index, receipt_id, letter_id, agency_id, type, at, leaf_hash, jws)
         SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::uuid[], $4::uuid[], $5::text[],
                              $6::timestamptz[], $7::bytea[], $8::text[])`,
        [0, 1, 2, 3, 4, 5, 6, 7].map((c) => rows.map((r) => r[c])),
      );
      await m.query(
        `UPDATE receipts r SET log_index = v.log_index
           FROM unnest($1::uuid[], $2::bigint[]) AS v(id, log_index) WHERE r.id = v.id`,
        [rows.map((r) => r[1]), rows.map((r) => r[0])],
      );
      return staged.length;
    });
  }
}
