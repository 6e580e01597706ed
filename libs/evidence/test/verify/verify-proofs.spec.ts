import { hashLeaf } from '../../src/verify/hashing';
import { verifyConsistency } from '../../src/verify/consistency';
import { verifyInclusion } from '../../src/verify/inclusion';
import {
  CONSISTENCY_PROOFS,
  EMPTY_ROOT,
  INCLUSION_PROOFS,
  LEAVES,
  ROOTS,
} from '../../src/testing/rfc6962-vectors';

const leafHashes = LEAVES.map(hashLeaf);
const SOME_HASH = Buffer.from(
  'abacaba000000000000000000000000000000000000000000060061e00123456',
  'hex',
);
const root = (n: number): Buffer => ROOTS[n - 1]!;

function flipped(proof: Buffer[], i: number): Buffer[] {
  return proof.map((p, j) => (j === i ? Buffer.from(p.map((b, k) => (k === 0 ? b ^ 8 : b))) : p));
}

describe('verifyInclusion (RFC 9162 §2.1.3.2) on the RFC 6962 test vectors', () => {
  it.each(INCLUSION_PROOFS)('accepts the known proof of leaf $index in $size', (v) => {
    expect(verifyInclusion(leafHashes[v.index]!, v.index, v.size, v.path, root(v.size))).toBe(true);
  });

  it.each(INCLUSION_PROOFS.filter((v) => v.size > 1))(
    'rejects every corruption of the proof of leaf $index in $size',
    ({ index, size, path }) => {
      const leaf = leafHashes[index]!;
      const r = root(size);
      const probes: [number, number, Buffer[], Buffer, Buffer][] = [
        [index - 1, size, path, r, leaf],
        [index + 1, size, path, r, leaf],
        [index ^ 2, size, path, r, leaf],
        [index, size * 2, path, r, leaf],
        [index, Math.floor(size / 2), path, r, leaf],
        [index, size, path, r, leafHashes[(index + 1) % 8]!],
        [index, size, path, EMPTY_ROOT, leaf],
        [index, size, path, SOME_HASH, leaf],
        [index, size, [...path, r], r, leaf],
        [index, size, [r, ...path], r, leaf],
        [index, size, [...path, Buffer.alloc(0)], r, leaf],
        [index, size, path.slice(0, -1), r, leaf],
        [index, size, [path[0]!, SOME_HASH, ...path.slice(1)], r, leaf],
        ...path.map((_, i): [number, number, Buffer[], Buffer, Buffer] => [
          index,
          size,
          flipped(path, i),
          r,
          leaf,
        ]),
      ];
      for (const [i, n, p, rt, lf] of probes) expect(verifyInclusion(lf, i, n, p, rt)).toBe(false);
    },
  );

  it('accepts a one-entry tree only when the leaf is the root', () => {
    const leaf = hashLeaf(Buffer.from('data'));
    expect(verifyInclusion(leaf, 0, 1, [], leaf)).toBe(true);
    expect(verifyInclusion(leaf, 0, 1, [], SOME_HASH)).toBe(false);
    expect(verifyInclusion(Buffer.alloc(0), 0, 1, [], Buffer.alloc(0))).toBe(false);
  });

  it('rejects indexes outside the tree', () => {
    for (const [index, size] of [
      [0, 0],
      [1, 0],
      [2, 1],
      [-1, 4],
    ]) {
      expect(verifyInclusion(SOME_HASH, index!, size!, [], EMPTY_ROOT)).toBe(false);
    }
  });
});

describe('verifyConsistency (RFC 9162 §2.1.4.2) on the RFC 6962 test vectors', () => {
  it.each(CONSISTENCY_PROOFS)('accepts the known proof $size1 → $size2', (v) => {
    expect(verifyConsistency(v.size1, v.size2, v.proof, root(v.size1), root(v.size2))).toBe(true);
  });

  it.each(CONSISTENCY_PROOFS.filter((v) => v.proof.length > 0))(
    'rejects every corruption of the proof $size1 → $size2',
    ({ size1, size2, proof }) => {
      const r1 = root(size1);
      const r2 = root(size2);
      const probes: [number, number, Buffer[], Buffer, Buffer][] = [
        [size1 - 1, size2, proof, r1, r2],
        [size1 + 1, size2, proof, r1, r2],
        [size1 ^ 2, size2, proof, r1, r2],
        [size1, size2 * 2, proof, r1, r2],
        [size1, Math.floor(size2 / 2), proof, r1, r2],
        [size1, size2, proof, SOME_HASH, r2],
        [size1, size2, proof, r1, SOME_HASH],
        [size1, size2, proof, r2, r1],
        [size1, size2, [], r1, r2],
        [size1, size2, [...proof, Buffer.alloc(0)], r1, r2],
        [size1, size2, [...proof, r1], r1, r2],
        [size1, size2, [...proof, r2], r1, r2],
        [size1, size2, [Buffer.alloc(0), ...proof], r1, r2],
        [size1, size2, [r1, ...proof], r1, r2],
        [size1, size2, [r2, ...proof], r1, r2],
        [size1, size2, [proof[0]!, ...proof], r1, r2],
        [size1, size2, proof.slice(0, -1), r1, r2],
        ...proof.map((_, i): [number, number, Buffer[], Buffer, Buffer] => [
          size1,
          size2,
          flipped(proof, i),
          r1,
          r2,
        ]),
      ];
      for (const [s1, s2, p, a, b] of probes)
        expect(verifyConsistency(s1, s2, p, a, b)).toBe(false);
    },
  );

  it('handles the sizes the RFC leaves to the caller', () => {
    const [a, b] = [root(1), root(2)];
    expect(verifyConsistency(0, 0, [], EMPTY_ROOT, EMPTY_ROOT)).toBe(true);
    expect(verifyConsistency(0, 5, [], EMPTY_ROOT, root(5))).toBe(true);
    expect(verifyConsistency(0, 5, [a], EMPTY_ROOT, root(5))).toBe(false);
    expect(verifyConsistency(3, 3, [], root(3), root(3))).toBe(true);
    expect(verifyConsistency(3, 3, [], a, b)).toBe(false);
    expect(verifyConsistency(3, 3, [a], root(3), root(3))).toBe(false);
    // Time travel to the past.
    expect(verifyConsistency(2, 1, [], b, a)).toBe(false);
    expect(verifyConsistency(1, 2, [], a, b)).toBe(false);
  });
});
