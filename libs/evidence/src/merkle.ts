import { createHash, hash } from 'node:crypto';

// The log's Merkle tree as the server builds it: RFC 9162 §2.1. The offline verifier in
// verify/ is written separately from the RFC text and must not import this file, so that one
// misreading of the RFC cannot hide in both.

const HASH_BYTES = 32;
const LEAF_PREFIX = 0x00;
const NODE_PREFIX = 0x01;

/** MTH({}) = SHA-256 of the empty string. */
const EMPTY_ROOT = createHash('sha256').digest();

/** MTH({d}) = SHA-256(0x00 || d). */
export function leafHash(entry: Uint8Array): Buffer {
  return createHash('sha256').update(Buffer.of(LEAF_PREFIX)).update(entry).digest();
}

// Building a tree of a million leaves is a million node hashes, and the cost is in allocation
// more than in SHA-256: one scratch buffer holds 0x01 || left || right, and the digest comes
// back as a latin1 ('binary') string, a plain V8 string rather than a Buffer with a backing
// store of its own, which measured about twice as fast here as a Buffer per node.
const nodeInput = Buffer.alloc(1 + 2 * HASH_BYTES, NODE_PREFIX);

function hashNodeInput(): string {
  return hash('sha256', nodeInput, 'binary');
}

function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  nodeInput.set(left, 1);
  nodeInput.set(right, 1 + HASH_BYTES);
  return Buffer.from(hashNodeInput(), 'latin1');
}

/** The largest power of two strictly below n (n >= 2), the split point k of RFC 9162. */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** floor(log2(n)) for 1 <= n < 2^53, exact where Math.log2 may round. */
function floorLog2(n: number): number {
  if (n < 2 ** 32) return 31 - Math.clz32(n);
  let h = 32;
  while (2 ** (h + 1) <= n) h++;
  return h;
}

/** Hashes of one level of the tree in one growable buffer, 32 bytes each. */
class Level {
  private bytes = Buffer.alloc(0);
  count = 0;

  push(node: Uint8Array): void {
    this.reserveOne();
    this.bytes.set(node, this.count * HASH_BYTES);
    this.count++;
  }

  /** Appends a hash given as a latin1 string (see hashNodeInput). */
  pushLatin1(node: string): void {
    this.reserveOne();
    this.bytes.write(node, this.count * HASH_BYTES, HASH_BYTES, 'latin1');
    this.count++;
  }

  /** Puts the last two nodes, left then right, into the node hash input. */
  lastPairToNodeInput(): void {
    const end = this.count * HASH_BYTES;
    this.bytes.copy(nodeInput, 1, end - 2 * HASH_BYTES, end);
  }

  /** A view of node i; copy it before handing it out. */
  at(i: number): Buffer {
    return this.bytes.subarray(i * HASH_BYTES, (i + 1) * HASH_BYTES);
  }

  private reserveOne(): void {
    const end = (this.count + 1) * HASH_BYTES;
    if (end > this.bytes.length) {
      const grown = Buffer.alloc(Math.max(end, this.bytes.length * 2, 64 * HASH_BYTES));
      this.bytes.copy(grown, 0, 0, this.count * HASH_BYTES);
      this.bytes = grown;
    }
  }
}

/**
 * A Merkle tree over leaf hashes that keeps every complete subtree hash, so that roots and
 * proofs for any prefix of the log cost O(log² n) hashes instead of rebuilding the tree.
 *
 * Level h holds the hash of each complete, aligned run of 2^h leaves. RFC 9162 only ever splits
 * a range at the largest power of two below its size, so every range its algorithms touch is
 * a chain of such complete runs (see `rangeHash`), whatever the prefix size.
 *
 * Appending costs one hash per completed subtree (amortised one), so the sequencer can keep a
 * tree in memory and extend it rather than rebuild it every minute.
 */
export class MerkleTree {
  private readonly levels: Level[] = [new Level()];

  constructor(leafHashes: Iterable<Uint8Array> = []) {
    for (const leaf of leafHashes) this.append(leaf);
  }

  get size(): number {
    return this.levels[0]!.count;
  }

  /** Adds a leaf hash and returns its index. */
  append(leafHash: Uint8Array): number {
    if (leafHash.length !== HASH_BYTES) throw new RangeError('leaf hash must be 32 bytes');
    const index = this.size;
    let level = this.levels[0]!;
    level.push(leafHash);
    // Each time a level gets an even count, its last two nodes complete a parent.
    for (let h = 1; level.count % 2 === 0; h++) {
      level.lastPairToNodeInput();
      let parent = this.levels[h];
      if (!parent) {
        parent = new Level();
        this.levels.push(parent);
      }
      parent.pushLatin1(hashNodeInput());
      level = parent;
    }
    return index;
  }

  leafHash(index: number): Buffer {
    this.checkIndex(index, this.size);
    return Buffer.from(this.levels[0]!.at(index));
  }

  /** MTH(D[0:size]). */
  root(size: number = this.size): Buffer {
    this.checkSize(size);
    return size === 0 ? Buffer.from(EMPTY_ROOT) : this.rangeHash(0, size);
  }

  /** PATH(index, D[0:size]), RFC 9162 §2.1.3.1: sibling hashes from the leaf up. */
  inclusionProof(index: number, size: number = this.size): Buffer[] {
    this.checkSize(size);
    this.checkIndex(index, size);
    const topDown: Buffer[] = [];
    let start = 0;
    let n = size;
    while (n > 1) {
      const k = splitPoint(n);
      if (index < start + k) {
        topDown.push(this.rangeHash(start + k, n - k));
        n = k;
      } else {
        topDown.push(this.rangeHash(start, k));
        start += k;
        n -= k;
      }
    }
    return topDown.reverse();
  }

  /** PROOF(oldSize, D[0:newSize]), RFC 9162 §2.1.4.1. Empty when oldSize is 0 or newSize. */
  consistencyProof(oldSize: number, newSize: number = this.size): Buffer[] {
    this.checkSize(newSize);
    if (!Number.isSafeInteger(oldSize) || oldSize < 0 || oldSize > newSize) {
      throw new RangeError(`old size ${oldSize} is not between 0 and ${newSize}`);
    }
    if (oldSize === 0 || oldSize === newSize) return [];
    // SUBPROOF(m, D[start:start+n], b), unrolled. While m equals the size of the range the
    // recursion ends; b stays true only while m's tree is the leftmost part of every range,
    // in which case the verifier already has its hash (it is the old root).
    const topDown: Buffer[] = [];
    let start = 0;
    let n = newSize;
    let m = oldSize;
    let b = true;
    while (m !== n) {
      const k = splitPoint(n);
      if (m <= k) {
        topDown.push(this.rangeHash(start + k, n - k));
        n = k;
      } else {
        topDown.push(this.rangeHash(start, k));
        start += k;
        n -= k;
        m -= k;
        b = false;
      }
    }
    if (!b) topDown.push(this.rangeHash(start, n));
    return topDown.reverse();
  }

  /**
   * MTH(D[start:start+n]) for a range that starts at a multiple of the largest power of two
   * not above n, which is every range RFC 9162's recursion produces. Such a range is a run of
   * complete subtrees of decreasing size; the tree hash nests them to the right.
   */
  private rangeHash(start: number, n: number): Buffer {
    const parts: Buffer[] = [];
    let offset = start;
    let remaining = n;
    while (remaining > 0) {
      const h = floorLog2(remaining);
      const width = 2 ** h;
      parts.push(this.levels[h]!.at(offset / width));
      offset += width;
      remaining -= width;
    }
    let acc: Buffer = Buffer.from(parts[parts.length - 1]!);
    for (let i = parts.length - 2; i >= 0; i--) acc = nodeHash(parts[i]!, acc);
    return acc;
  }

  private checkSize(size: number): void {
    if (!Number.isSafeInteger(size) || size < 0 || size > this.size) {
      throw new RangeError(`tree size ${size} is not between 0 and ${this.size}`);
    }
  }

  private checkIndex(index: number, size: number): void {
    if (!Number.isSafeInteger(index) || index < 0 || index >= size) {
      throw new RangeError(`leaf index ${index} is not below tree size ${size}`);
    }
  }
}

/** MTH over all the given leaf hashes. */
export function rootFromLeafHashes(leaves: readonly Uint8Array[]): Buffer {
  return new MerkleTree(leaves).root();
}

/** PATH(index, D[n]) for n = leaves.length. */
export function inclusionProof(leaves: readonly Uint8Array[], index: number): Buffer[] {
  return new MerkleTree(leaves).inclusionProof(index);
}

/** PROOF(oldSize, D[n]) for n = leaves.length. */
export function consistencyProof(leaves: readonly Uint8Array[], oldSize: number): Buffer[] {
  return new MerkleTree(leaves).consistencyProof(oldSize);
}
