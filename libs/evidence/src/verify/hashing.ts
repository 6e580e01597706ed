import { hash } from 'node:crypto';

// RFC 9162 §2.1.1 hashing for the verifier. The one place that names the hash function, so a
// browser build of the verifier has one file to replace.

export const HASH_BYTES = 32;

export function sha256(data: Uint8Array = new Uint8Array()): Buffer {
  return hash('sha256', data, 'buffer');
}

/** HASH(0x00 || entry). */
export function hashLeaf(entry: Uint8Array): Buffer {
  const input = Buffer.allocUnsafe(1 + entry.length);
  input[0] = 0x00;
  input.set(entry, 1);
  return sha256(input);
}

// Interior nodes are hashed far more often than anything else (a log export of n entries
// needs n - 1 of them), so their 65-byte input is assembled in one reused buffer.
const nodeInput = Buffer.alloc(1 + 2 * HASH_BYTES, 0x01);

/** HASH(0x01 || left || right), for 32-byte children. */
export function hashChildren(left: Uint8Array, right: Uint8Array): Buffer {
  if (left.length !== HASH_BYTES || right.length !== HASH_BYTES) {
    throw new RangeError('child hashes must be 32 bytes');
  }
  nodeInput.set(left, 1);
  nodeInput.set(right, 1 + HASH_BYTES);
  return sha256(nodeInput);
}

export function sameHash(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === HASH_BYTES && Buffer.from(a.buffer, a.byteOffset, a.length).equals(b);
}
