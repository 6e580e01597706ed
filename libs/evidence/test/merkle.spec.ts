import { createHash, randomBytes } from 'node:crypto';
import {
  consistencyProof,
  inclusionProof,
  leafHash,
  MerkleTree,
  rootFromLeafHashes,
} from '../src/merkle';
import {
  CONSISTENCY_PROOFS,
  EMPTY_ROOT,
  INCLUSION_PROOFS,
  LEAVES,
  ROOTS,
} from '../src/testing/rfc6962-vectors';

const leafHashes = LEAVES.map(leafHash);
const hex = (b: Buffer): string => b.toString('hex');

describe('leafHash', () => {
  it('is SHA-256 of 0x00 and the entry', () => {
    expect(hex(leafHash(Buffer.from('hello')))).toBe(
      hex(createHash('sha256').update(Buffer.from('\0hello')).digest()),
    );
    expect(hex(leafHash(new Uint8Array()))).toBe(hex(ROOTS[0]!));
  });
});

describe('MerkleTree against the RFC 6962 test vectors', () => {
  const tree = new MerkleTree(leafHashes);

  it('has the empty-string hash as the root of the empty tree', () => {
    expect(hex(new MerkleTree().root())).toBe(hex(EMPTY_ROOT));
    expect(hex(tree.root(0))).toBe(hex(EMPTY_ROOT));
    expect(hex(rootFromLeafHashes([]))).toBe(hex(EMPTY_ROOT));
  });

  it.each(ROOTS.map((root, i) => [i + 1, root] as const))(
    'has the known root at size %i',
    (n, root) => {
      expect(hex(tree.root(n))).toBe(hex(root));
      expect(hex(rootFromLeafHashes(leafHashes.slice(0, n)))).toBe(hex(root));
    },
  );

  it.each(INCLUSION_PROOFS)('gives the known inclusion proof of leaf $index in $size', (v) => {
    expect(tree.inclusionProof(v.index, v.size).map(hex)).toEqual(v.path.map(hex));
    expect(inclusionProof(leafHashes.slice(0, v.size), v.index).map(hex)).toEqual(v.path.map(hex));
  });

  it.each(CONSISTENCY_PROOFS)('gives the known consistency proof $size1 → $size2', (v) => {
    expect(tree.consistencyProof(v.size1, v.size2).map(hex)).toEqual(v.proof.map(hex));
    expect(consistencyProof(leafHashes.slice(0, v.size2), v.size1).map(hex)).toEqual(
      v.proof.map(hex),
    );
  });

  it('gives an empty consistency proof from the empty tree', () => {
    expect(tree.consistencyProof(0, 8)).toEqual([]);
  });
});

describe('MerkleTree', () => {
  it('gives the same answers when built by appending as when built at once', () => {
    const leaves = Array.from({ length: 37 }, () => randomBytes(32));
    const whole = new MerkleTree(leaves);
    const grown = new MerkleTree();
    leaves.forEach((leaf, i) => {
      expect(grown.append(leaf)).toBe(i);
      expect(hex(grown.root())).toBe(hex(whole.root(i + 1)));
    });
    expect(grown.inclusionProof(20, 30).map(hex)).toEqual(whole.inclusionProof(20, 30).map(hex));
    expect(grown.leafHash(36)).toEqual(leaves[36]);
  });

  it('hands out copies, so a caller cannot change the tree', () => {
    const tree = new MerkleTree(leafHashes);
    tree.root().fill(0);
    tree.leafHash(0).fill(0);
    tree.inclusionProof(0).forEach((p) => p.fill(0));
    expect(hex(tree.root())).toBe(hex(ROOTS[7]!));
  });

  it('refuses sizes and indexes outside the tree', () => {
    const tree = new MerkleTree(leafHashes);
    expect(() => tree.root(9)).toThrow(RangeError);
    expect(() => tree.root(-1)).toThrow(RangeError);
    expect(() => tree.inclusionProof(8)).toThrow(RangeError);
    expect(() => tree.inclusionProof(3, 3)).toThrow(RangeError);
    expect(() => tree.inclusionProof(0.5)).toThrow(RangeError);
    expect(() => tree.consistencyProof(5, 4)).toThrow(RangeError);
    expect(() => tree.consistencyProof(1, 9)).toThrow(RangeError);
    expect(() => tree.append(Buffer.alloc(31))).toThrow(RangeError);
    expect(() => new MerkleTree().inclusionProof(0, 0)).toThrow(RangeError);
  });

  it('builds a tree of 100,000 leaves and proves from it quickly', () => {
    // The 1,000,000-leaf figure is in bench/merkle-tree.bench.ts; this keeps the unit run short.
    const leaves = Array.from({ length: 100_000 }, (_, i) => leafHash(Buffer.from(String(i))));
    const started = performance.now();
    const tree = new MerkleTree(leaves);
    const root = tree.root();
    const proof = tree.inclusionProof(77_777);
    const consistency = tree.consistencyProof(65_537);
    const elapsed = performance.now() - started;
    expect(root).toHaveLength(32);
    expect(proof).toHaveLength(17);
    expect(consistency.length).toBeGreaterThan(0);
    expect(elapsed).toBeLessThan(2_000);
  });
});
