import { HASH_BYTES, hashChildren, sameHash } from './hashing';

/**
 * RFC 9162 §2.1.3.2: does `path` prove that `leafHash` is entry `index` of the tree of
 * `treeSize` entries whose root is `root`? Follows the RFC's steps, with its names.
 */
export function verifyInclusion(
  leafHash: Uint8Array,
  index: number,
  treeSize: number,
  path: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(treeSize) || index < 0) return false;
  // 1. leaf_index must be below tree_size.
  if (index >= treeSize) return false;
  const sizes = [leafHash, root, ...path].map((h) => h.length);
  if (sizes.some((length) => length !== HASH_BYTES)) return false;
  // 2. fn = leaf_index, sn = tree_size - 1. Sizes may pass 2^32, where JavaScript's bitwise
  // operators wrap, so LSB and right shift are written as % 2 and halving (exact below 2^53).
  let fn = index;
  let sn = treeSize - 1;
  // 3. r = hash.
  let r: Uint8Array = leafHash;
  // 4. For each p in the path:
  for (const p of path) {
    // a. A proof longer than the tree is high fails.
    if (sn === 0) return false;
    // b. fn is a right child, or the last node of its level (which has no right sibling).
    if (fn % 2 === 1 || fn === sn) {
      r = hashChildren(p, r);
      // If fn was the last node of its level, climb past the levels where it has no sibling
      // and is carried up unchanged.
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = hashChildren(r, p);
    }
    // c.
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  // 5. The path must reach the top exactly, at the given root.
  return sn === 0 && sameHash(r, root);
}
