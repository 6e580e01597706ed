import type { DataSource } from 'typeorm';
import { MerkleTree, signTreeHead, type SignedTreeHead, type SigningKey } from '#evidence';
import { DomainError, invalid } from '#errors';

export interface InclusionProofView {
  leafIndex: number;
  treeSize: number;
  path: string[];
}

const LOAD_BATCH = 50_000;
/** An arbitrary constant naming the advisory lock of whoever signs tree heads. */
const TREE_HEAD_LOCK = 0x706b5f68656164;

const b64u = (b: Buffer) => b.toString('base64url');

interface HeadRow {
  tree_size: string;
  root_hash: Buffer;
  signed_at: Date;
  jws: string;
}

const toHead = (r: HeadRow): SignedTreeHead => ({
  treeSize: Number(r.tree_size),
  rootHash: b64u(r.root_hash),
  timestamp: r.signed_at.toISOString(),
  jws: r.jws,
});

/**
 * The receipt log as a Merkle tree (RFC 9162). Each process keeps the leaf hashes in memory and
 * appends what the sequencer added since it last looked, so proofs cost milliseconds even at
 * millions of entries. The log table is insert-only, so what was loaded never changes.
 */
export class ReceiptLog {
  private readonly tree = new MerkleTree();
  private loading: Promise<void> | null = null;

  constructor(private readonly db: DataSource) {}

  get loadedSize(): number {
    return this.tree.size;
  }

  /** Brings the in-memory tree up to the log's current size and returns that size. */
  async refresh(): Promise<number> {
    this.loading ??= this.load().finally(() => {
      this.loading = null;
    });
    await this.loading;
    return this.tree.size;
  }

  private async load(): Promise<void> {
    for (;;) {
      const rows = (await this.db.query(
        'SELECT log_index, leaf_hash FROM receipt_log WHERE log_index >= $1 ORDER BY log_index LIMIT $2',
        [this.tree.size, LOAD_BATCH],
      )) as { log_index: string; leaf_hash: Buffer }[];
      for (const row of rows) {
        // The sequencer assigns indexes without gaps inside its transaction; a gap here would
        // mean a transaction still committing, so stop and pick the rest up next time.
        if (Number(row.log_index) !== this.tree.size) return;
        this.tree.append(row.leaf_hash);
      }
      if (rows.length < LOAD_BATCH) return;
    }
  }

  async latestHead(): Promise<SignedTreeHead | null> {
    const [row] = (await this.db.query(
      'SELECT tree_size, root_hash, signed_at, jws FROM tree_heads ORDER BY tree_size DESC LIMIT 1',
    )) as HeadRow[];
    return row ? toHead(row) : null;
  }

  async headsAfter(after: number, limit: number): Promise<SignedTreeHead[]> {
    const rows = (await this.db.query(
      'SELECT tree_size, root_hash, signed_at, jws FROM tree_heads WHERE tree_size > $1 ORDER BY tree_size LIMIT $2',
      [after, limit],
    )) as HeadRow[];
    return rows.map(toHead);
  }

  /**
   * A signed head of exactly `size`: the stored one, or one signed now. Signing a head for a past
   * size is sound: the root of a prefix never changes in an append-only log.
   */
  async headAt(size: number, key: SigningKey): Promise<SignedTreeHead> {
    const [existing] = (await this.db.query(
      'SELECT tree_size, root_hash, signed_at, jws FROM tree_heads WHERE tree_size = $1',
      [size],
    )) as HeadRow[];
    if (existing) return toHead(existing);
    if ((await this.refresh()) < size)
      throw invalid('log.beyond_end', `The log has fewer than ${size} entries`);
    const root = this.tree.root(size);
    const timestamp = new Date().toISOString();
    const jws = await signTreeHead({ treeSize: size, rootHash: b64u(root), timestamp }, key);
    await this.db.query(
      `INSERT INTO tree_heads (tree_size, root_hash, signed_at, jws) VALUES ($1, $2, $3, $4)
       ON CONFLICT (tree_size) DO NOTHING`,
      [size, root, timestamp, jws],
    );
    const [stored] = (await this.db.query(
      'SELECT tree_size, root_hash, signed_at, jws FROM tree_heads WHERE tree_size = $1',
      [size],
    )) as HeadRow[];
    return toHead(stored);
  }

  /**
   * Signs a head when the log has grown since the last one. Several workers may call this; the
   * advisory lock lets one of them sign at a time.
   */
  async signIfGrown(key: SigningKey): Promise<SignedTreeHead | null> {
    const size = await this.refresh();
    return this.db.transaction(async (m) => {
      const [{ locked }] = (await m.query('SELECT pg_try_advisory_xact_lock($1) AS locked', [
        TREE_HEAD_LOCK,
      ])) as {
        locked: boolean;
      }[];
      if (!locked) return null;
      const latest = await this.latestHead();
      if (latest && latest.treeSize >= size) return null;
      if (!latest && size === 0) return null;
      return this.headAt(size, key);
    });
  }

  async inclusionProof(leafIndex: number, treeSize: number): Promise<InclusionProofView> {
    await this.ensure(treeSize);
    return { leafIndex, treeSize, path: this.tree.inclusionProof(leafIndex, treeSize).map(b64u) };
  }

  async consistencyProof(from: number, to: number): Promise<string[]> {
    if (from > to) throw invalid('log.invalid_range', '`from` must not be greater than `to`');
    await this.ensure(to);
    return this.tree.consistencyProof(from, to).map(b64u);
  }

  /** The entries [from, to) in log order, for the NDJSON export. */
  async *entries(from: number, to: number): AsyncGenerator<{ index: number; jws: string }> {
    for (let start = from; start < to; start += 5_000) {
      const rows = (await this.db.query(
        'SELECT log_index, jws FROM receipt_log WHERE log_index >= $1 AND log_index < $2 ORDER BY log_index',
        [start, Math.min(to, start + 5_000)],
      )) as { log_index: string; jws: string }[];
      for (const r of rows) yield { index: Number(r.log_index), jws: r.jws };
    }
  }

  private async ensure(size: number): Promise<void> {
    if (this.tree.size < size && (await this.refresh()) < size) {
      throw new DomainError(400, 'log.beyond_end', `The log has fewer than ${size} entries`);
    }
  }
}
