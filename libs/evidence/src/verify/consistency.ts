import { HASH_BYTES, hashChildren, sameHash } from './hashing';

/**
 * RFC 9162 §2.1.4.2: does `proof` show that the tree of `size1` entries with root `root1` is a
 * prefix of the tree of `size2` entries with root `root2`? Follows the RFC's steps, with its
 * names, after the cases the RFC leaves to the caller: equal sizes must have equal roots and
 * an empty proof, and every tree extends the empty tree.
 */
export function verifyConsistency(
  size1: number,
  size2: number,
  proof: readonly Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array,
): boolean {
  if (!Number.isSafeInteger(size1) || !Number.isSafeInteger(size2)) return false;
  if (size1 < 0 || size2 < size1) return false;
  if (root1.length !== HASH_BYTES || root2.length !== HASH_BYTES) return false;
  if (size1 === size2) return proof.length === 0 && sameHash(root1, root2);
  if (size1 === 0) return proof.length === 0;
  if (proof.some((c) => c.length !== HASH_BYTES)) return false;
  // 1. An empty path cannot prove a strict extension.
  if (proof.length === 0) return false;
  // 2. If first is an exact power of two, the old root is itself a node of the new tree and
  // the proof leaves it out: put it back at the front.
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : [...proof];
  // 3. fn = first - 1, sn = second - 1.
  // Sizes may pass 2^32, where JavaScript's bitwise operators wrap, so LSB and right shift
  // are written as % 2 and halving (exact below 2^53).
  let fn = size1 - 1;
  let sn = size2 - 1;
  // 4. Skip the levels where the old tree's last node is a right child.
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  // 5. fr and sr start at the first value of the path.
  let fr: Uint8Array = path[0]!;
  let sr: Uint8Array = path[0]!;
  // 6. For each subsequent value c:
  for (const c of path.slice(1)) {
    // a.
    if (sn === 0) return false;
    // b.
    if (fn % 2 === 1 || fn === sn) {
      fr = hashChildren(c, fr);
      sr = hashChildren(c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = hashChildren(sr, c);
    }
    // c.
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  // 7. Both roots reproduced, and the path reached the top of the new tree.
  return sameHash(fr, root1) && sameHash(sr, root2) && sn === 0;
}

function isPowerOfTwo(n: number): boolean {
  while (n > 1 && n % 2 === 0) n /= 2;
  return n === 1;
}
