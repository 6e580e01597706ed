import { hashChildren, sha256 } from './hashing';

/**
 * The RFC 9162 Merkle tree hash of a sequence of leaves, fed one leaf at a time in O(log n)
 * memory, so that a verifier can check a log export of any length as it reads it.
 *
 * By §2.1.1, MTH(D[n]) splits D at the largest power of two k < n, and so on down the right
 * side: the tree is the complete subtrees given by the binary digits of n, largest first,
 * joined from the right. The stack holds exactly those complete subtrees.
 */
export class TreeRoot {
  private readonly stack: { hash: Buffer; size: number }[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  addLeafHash(leafHash: Buffer): void {
    let node = { hash: leafHash, size: 1 };
    let top = this.stack[this.stack.length - 1];
    while (top && top.size === node.size) {
      this.stack.pop();
      node = { hash: hashChildren(top.hash, node.hash), size: top.size * 2 };
      top = this.stack[this.stack.length - 1];
    }
    this.stack.push(node);
    this.count++;
  }

  /** MTH of the leaves added so far; SHA-256 of nothing for none. */
  root(): Buffer {
    if (this.stack.length === 0) return sha256();
    let acc = this.stack[this.stack.length - 1]!.hash;
    for (let i = this.stack.length - 2; i >= 0; i--) acc = hashChildren(this.stack[i]!.hash, acc);
    return acc;
  }
}
