import type { DataSource } from 'typeorm';
import { MerkleTree, signTreeHead, type SignedTreeHead, type SigningKey } from '#evidence';
import { DomainError, invalid } from '#errors';
import { ReceiptsStore, Sql, type TreeHeadRow } from '#stores';

export interface InclusionProofView {
  leafIndex: number;
  treeSize: number;
  path: string[];
}

const LOAD_BATCH = 50_000;
/** An arbitrary constant naming the advisory lock of whoever signs tree heads. */
const TREE_HEAD_LOCK = 0x706b5f68656164;

const b64u = (b: Buffer) => b.toString('base64url');

const toHead = (r: TreeHeadRow): SignedTreeHead => ({
  treeSize: r.treeSize,
  rootHash: b64u(r.rootHash),
  timestamp: r.signedAt.toISOString(),
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

  private readonly sql: Sql;
  private readonly receipts: ReceiptsStore;

  constructor(db: DataSource) {
    this.sql = new Sql(db);
    this.receipts = new ReceiptsStore(this.sql);
  }

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
      const rows = await this.receipts.leafHashesFrom(this.tree.size, LOAD_BATCH);
      for (const row of rows) {
        // The sequencer assigns indexes without gaps inside its transaction; a gap here would
        // mean a transaction still committing, so stop and pick the rest up next time.
        if (row.index !== this.tree.size) return;
        this.tree.append(row.leafHash);
      }
      if (rows.length < LOAD_BATCH) return;
    }
  }

  async latestHead(): Promise<SignedTreeHead | null> {
    const row = await this.receipts.latestHead();
    return row && toHead(row);
  }

  async headsAfter(after: number, limit: number): Promise<SignedTreeHead[]> {
    return (await this.receipts.headsAfter(after, limit)).map(toHead);
  }

  /**
   * A signed head of exactly `size`: the stored one, or one signed now. Signing a head for a past
   * size is sound: the root of a prefix never changes in an append-only log.
   */
  async headAt(size: number, key: SigningKey): Promise<SignedTreeHead> {
    const existing = await this.receipts.headOfSize(size);
    if (existing) return toHead(existing);
    if ((await this.refresh()) < size)
      throw invalid('log.beyond_end', `The log has fewer than ${size} entries`);
    const root = this.tree.root(size);
    const signedAt = new Date();
    const timestamp = signedAt.toISOString();
    const jws = await signTreeHead({ treeSize: size, rootHash: b64u(root), timestamp }, key);
    await this.receipts.addHead({ treeSize: size, rootHash: root, signedAt, jws });
    // A racing signer may have stored its head first: that one stands.
    const stored = await this.receipts.headOfSize(size);
    return toHead(stored ?? { treeSize: size, rootHash: root, signedAt, jws });
  }

  /**
   * Signs a head when the log has grown since the last one. Several workers may call this; the
   * advisory lock lets one of them sign at a time.
   */
  async signIfGrown(key: SigningKey): Promise<SignedTreeHead | null> {
    const size = await this.refresh();
    return this.sql.transaction(async (tx) => {
      if (!(await tx.tryTransactionLock(TREE_HEAD_LOCK))) return null;
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
      yield* await this.receipts.entries(start, Math.min(to, start + 5_000));
    }
  }

  private async ensure(size: number): Promise<void> {
    if (this.tree.size < size && (await this.refresh()) < size) {
      throw new DomainError(400, 'log.beyond_end', `The log has fewer than ${size} entries`);
    }
  }
}
