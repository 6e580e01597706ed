import { parseReceiptPayload, type ReceiptPayload, type ReceiptType } from '#evidence';
import { bool, bytes, ColumnTypeError, date, int, json, nullable, text } from './columns';
import { decodeBacklog, type Backlog } from './outbox.store';
import type { Row, Sql } from './sql';

/** A receipt's payload before the sequencer gives it a log index. */
export type UnsequencedPayload = Omit<ReceiptPayload, 'logIndex'>;

export interface StoredReceipt {
  payload: UnsequencedPayload;
  logIndex: number | null;
}

/** What a receipt says about its letter, read in the transition's own transaction. */
export interface LetterReceiptFacts {
  agencyId: string;
  recipientRef: string;
  endToEnd: boolean;
  /** In document order: hex SHA-256 of the message as received, and of the plaintext if known. */
  documents: { received: string; plaintext: string | null }[];
}

export interface StagedForLog {
  id: string;
  letterId: string;
  agencyId: string;
  type: string;
  at: Date;
  payload: UnsequencedPayload;
}

export interface LogEntry {
  logIndex: number;
  receiptId: string;
  letterId: string;
  agencyId: string;
  type: string;
  at: Date;
  leafHash: Buffer;
  jws: string;
}

/** An access-log entry's leaf, appended beside the receipts (no receipt, letter or agency). */
export interface AccessLeafEntry {
  logIndex: number;
  at: Date;
  leafHash: Buffer;
  jws: string;
  recipientRef: string;
  /** When its entry becomes visible to the citizen; null: at once. */
  visibleFrom: Date | null;
}

export interface TreeHeadRow {
  treeSize: number;
  rootHash: Buffer;
  signedAt: Date;
  jws: string;
}

/** The payload column, checked as the verifier would check it (a hand-written check, cheap). */
const payloadOf = (r: Row): UnsequencedPayload => {
  const value = json(r, 'payload');
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ColumnTypeError('payload', 'a json object', value);
  const { logIndex: _, ...payload } = parseReceiptPayload({ ...value, logIndex: 0 });
  return payload;
};

const decodeStored = (r: Row): StoredReceipt => ({
  payload: payloadOf(r),
  logIndex: nullable(int)(r, 'log_index'),
});

const decodeHead = (r: Row): TreeHeadRow => ({
  treeSize: int(r, 'tree_size'),
  rootHash: bytes(r, 'root_hash'),
  signedAt: date(r, 'signed_at'),
  jws: text(r, 'jws'),
});

const decodeFacts = (r: Row): LetterReceiptFacts => {
  const documents = json(r, 'documents');
  if (!Array.isArray(documents)) throw new TypeError('documents: expected a json array');
  return {
    agencyId: text(r, 'agency_id'),
    recipientRef: text(r, 'recipient_ref'),
    endToEnd: bool(r, 'end_to_end'),
    documents: documents.map((d: { received?: unknown; plaintext?: unknown }) => ({
      received: String(d.received),
      plaintext: typeof d.plaintext === 'string' ? d.plaintext : null,
    })),
  };
};

const entry = (r: Row) => ({ index: int(r, 'log_index'), jws: text(r, 'jws') });

/** How far the signed tree heads trail the log. */
export interface HeadCoverage {
  logSize: number;
  /** The latest head's size and age; null before the first head. */
  headSize: number | null;
  headAgeMs: number | null;
}

const HEAD_COLUMNS = 'tree_size, root_hash, signed_at, jws';

/**
 * Receipts, the insert-only receipt log and its signed tree heads: the tables that change
 * together when a receipt is staged, sequenced and covered by a head.
 */
export class ReceiptsStore {
  constructor(private readonly sql: Sql) {}

  /** Stages a receipt; false when (letter, type, kind) already has one, which then stands. */
  async stage(
    tx: Sql,
    receipt: {
      id: string;
      letterId: string;
      agencyId: string;
      type: ReceiptType;
      kind: string;
      payload: UnsequencedPayload;
    },
  ): Promise<boolean> {
    const inserted = await tx.count(
      `INSERT INTO receipts (id, letter_id, agency_id, type, kind, at, payload)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (letter_id, type, kind) DO NOTHING`,
      [
        receipt.id,
        receipt.letterId,
        receipt.agencyId,
        receipt.type,
        receipt.kind,
        receipt.payload.at,
        receipt.payload,
      ],
    );
    return inserted > 0;
  }

  find(tx: Sql, letterId: string, type: ReceiptType, kind = ''): Promise<StoredReceipt | null> {
    return tx.maybeOne(
      'SELECT payload, log_index FROM receipts WHERE letter_id = $1 AND type = $2 AND kind = $3',
      [letterId, type, kind],
      decodeStored,
    );
  }

  async factsOfLetter(tx: Sql, letterId: string): Promise<LetterReceiptFacts> {
    const facts = await tx.maybeOne(
      `SELECT l.agency_id, l.end_to_end, mb.recipient_ref,
              COALESCE((SELECT json_agg(json_build_object(
                  'received', encode(received_sha256, 'hex'),
                  'plaintext', encode(plaintext_sha256, 'hex')) ORDER BY position)
                FROM documents WHERE letter_id = l.id), '[]') AS documents
         FROM letters l JOIN mailboxes mb ON mb.id = l.mailbox_id WHERE l.id = $1`,
      [letterId],
      decodeFacts,
    );
    if (!facts) throw new Error(`letter ${letterId} has no row to write a receipt about`);
    return facts;
  }

  /** The oldest staged receipts, in staging order, for the sequencer holding its lock. */
  stagedBatch(tx: Sql, limit: number): Promise<StagedForLog[]> {
    return tx.rows(
      `SELECT id, letter_id, agency_id, type, at, payload FROM receipts
        WHERE log_index IS NULL ORDER BY staged_seq LIMIT $1`,
      [limit],
      (r) => ({
        id: text(r, 'id'),
        letterId: text(r, 'letter_id'),
        agencyId: text(r, 'agency_id'),
        type: text(r, 'type'),
        at: date(r, 'at'),
        payload: payloadOf(r),
      }),
    );
  }

  async nextLogIndex(tx: Sql): Promise<number> {
    const next = await tx.maybeOne(
      'SELECT COALESCE(max(log_index) + 1, 0)::bigint AS next FROM receipt_log',
      [],
      (r) => int(r, 'next'),
    );
    return next ?? 0;
  }

  /** Appends signed entries to the log and records each receipt's index, in one transaction. */
  async append(tx: Sql, entries: LogEntry[]): Promise<void> {
    const column = <K extends keyof LogEntry>(k: K) => entries.map((e) => e[k]);
    await tx.run(
      `INSERT INTO receipt_log (log_index, receipt_id, letter_id, agency_id, type, at, leaf_hash, jws)
       SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::uuid[], $4::uuid[], $5::text[],
                            $6::timestamptz[], $7::bytea[], $8::text[])`,
      [
        column('logIndex'),
        column('receiptId'),
        column('letterId'),
        column('agencyId'),
        column('type'),
        column('at'),
        column('leafHash'),
        column('jws'),
      ],
    );
    // With its letter id a receipt is found in one partition when receipts are partitioned.
    await tx.run(
      `UPDATE receipts r SET log_index = v.log_index
         FROM unnest($1::uuid[], $2::uuid[], $3::bigint[]) AS v(id, letter_id, log_index)
        WHERE r.id = v.id AND r.letter_id = v.letter_id`,
      [column('receiptId'), column('letterId'), column('logIndex')],
    );
  }

  /** Appends access-log entries' leaves (DESIGN "Access notices"), in the sequencer's transaction. */
  async appendAccessLeaves(tx: Sql, leaves: AccessLeafEntry[]): Promise<void> {
    const column = <K extends keyof AccessLeafEntry>(k: K) => leaves.map((e) => e[k]);
    await tx.run(
      `INSERT INTO receipt_log (log_index, type, at, leaf_hash, jws, recipient_ref, visible_from)
       SELECT v.log_index, 'access_entry', v.at, v.leaf_hash, v.jws, v.recipient_ref, v.visible_from
         FROM unnest($1::bigint[], $2::timestamptz[], $3::bytea[], $4::text[], $5::text[],
                     $6::timestamptz[]) AS v(log_index, at, leaf_hash, jws, recipient_ref, visible_from)`,
      [
        column('logIndex'),
        column('at'),
        column('leafHash'),
        column('jws'),
        column('recipientRef'),
        column('visibleFrom'),
      ],
    );
  }

  /**
   * The access leaves of one mailbox the citizen may see at `now`, in log order: a withheld
   * entry's leaf is not shown before the entry is, so it does not tell that there is one.
   */
  accessLeavesOf(recipientRef: string, now: Date): Promise<{ index: number; jws: string }[]> {
    return this.sql.rows(
      `SELECT log_index, jws FROM receipt_log
        WHERE recipient_ref = $1 AND (visible_from IS NULL OR visible_from <= $2)
        ORDER BY log_index`,
      [recipientRef, now],
      entry,
    );
  }

  entryAt(index: number): Promise<{ index: number; jws: string } | null> {
    return this.sql.maybeOne(
      'SELECT log_index, jws FROM receipt_log WHERE log_index = $1',
      [index],
      entry,
    );
  }

  leafHashesFrom(start: number, limit: number): Promise<{ index: number; leafHash: Buffer }[]> {
    return this.sql.rows(
      'SELECT log_index, leaf_hash FROM receipt_log WHERE log_index >= $1 ORDER BY log_index LIMIT $2',
      [start, limit],
      (r) => ({ index: int(r, 'log_index'), leafHash: bytes(r, 'leaf_hash') }),
    );
  }

  /** The entries [from, to) in log order. */
  entries(from: number, to: number): Promise<{ index: number; jws: string }[]> {
    return this.sql.rows(
      'SELECT log_index, jws FROM receipt_log WHERE log_index >= $1 AND log_index < $2 ORDER BY log_index',
      [from, to],
      entry,
    );
  }

  entriesOfLetter(letterId: string): Promise<{ index: number; jws: string }[]> {
    return this.sql.rows(
      'SELECT log_index, jws FROM receipt_log WHERE letter_id = $1 ORDER BY log_index',
      [letterId],
      entry,
    );
  }

  /**
   * The log entries below `below` of several letters (a page of a mailbox export), in log
   * order; one index scan of receipt_log_letter per letter.
   */
  entriesOfLetters(
    letterIds: readonly string[],
    below: number,
  ): Promise<{ letterId: string; index: number; jws: string }[]> {
    return this.sql.rows(
      `SELECT letter_id, log_index, jws FROM receipt_log
        WHERE letter_id = ANY($1::uuid[]) AND log_index < $2 ORDER BY log_index`,
      [letterIds, below],
      (r) => ({ letterId: text(r, 'letter_id'), ...entry(r) }),
    );
  }

  latestHead(): Promise<TreeHeadRow | null> {
    return this.sql.maybeOne(
      `SELECT ${HEAD_COLUMNS} FROM tree_heads ORDER BY tree_size DESC LIMIT 1`,
      [],
      decodeHead,
    );
  }

  headsAfter(after: number, limit: number): Promise<TreeHeadRow[]> {
    return this.sql.rows(
      `SELECT ${HEAD_COLUMNS} FROM tree_heads WHERE tree_size > $1 ORDER BY tree_size LIMIT $2`,
      [after, limit],
      decodeHead,
    );
  }

  headOfSize(size: number): Promise<TreeHeadRow | null> {
    return this.sql.maybeOne(
      `SELECT ${HEAD_COLUMNS} FROM tree_heads WHERE tree_size = $1`,
      [size],
      decodeHead,
    );
  }

  /** Keeps the first head signed for a size; a racing signer's head is dropped. */
  async addHead(head: TreeHeadRow): Promise<void> {
    await this.sql.run(
      `INSERT INTO tree_heads (tree_size, root_hash, signed_at, jws) VALUES ($1, $2, $3, $4)
       ON CONFLICT (tree_size) DO NOTHING`,
      [head.treeSize, head.rootHash, head.signedAt, head.jws],
    );
  }

  /**
   * For the metrics: receipts staged but not yet in the log, and the oldest one's age (since its
   * transition), from the partial index of staged receipts.
   */
  async sequencerLag(): Promise<Backlog> {
    const found = await this.sql.maybeOne(
      `SELECT count(*) AS count,
              (extract(epoch FROM now() - min(at)) * 1000)::bigint AS oldest_age_ms
         FROM receipts WHERE log_index IS NULL`,
      [],
      decodeBacklog,
    );
    return found ?? { count: 0, oldestAgeMs: null };
  }

  /** For the metrics: the log's size and the latest head, each one primary-key lookup. */
  async headCoverage(): Promise<HeadCoverage> {
    const found = await this.sql.maybeOne(
      `SELECT (SELECT COALESCE(max(log_index) + 1, 0) FROM receipt_log)::bigint AS log_size,
              h.tree_size AS head_size,
              (extract(epoch FROM now() - h.signed_at) * 1000)::bigint AS head_age_ms
         FROM (SELECT 1) AS one
         LEFT JOIN (SELECT tree_size, signed_at FROM tree_heads ORDER BY tree_size DESC LIMIT 1) h
           ON true`,
      [],
      (r) => ({
        logSize: int(r, 'log_size'),
        headSize: nullable(int)(r, 'head_size'),
        headAgeMs: nullable(int)(r, 'head_age_ms'),
      }),
    );
    return found ?? { logSize: 0, headSize: null, headAgeMs: null };
  }
}
