import type { JWK } from 'jose';
import { assertIndex, assertShape, assertSha256Base64url, assertTimestamp } from './payload-checks';
import type { SigningKey } from './signing-key';
import { signTyped, verifyTyped } from './typed-jws';
import type { VerificationKeys } from './verification-keys';

export const TREE_HEAD_JWS_TYPE = 'postkasse-tree-head+jws';

export interface TreeHeadPayload {
  treeSize: number;
  /** RFC 9162 Merkle tree hash of the first treeSize log entries, base64url. */
  rootHash: string;
  /** RFC 3339. */
  timestamp: string;
}

/** A tree head with its signature, as served by the API and exported with the log. */
export type SignedTreeHead = TreeHeadPayload & { jws: string };

export function parseTreeHeadPayload(value: unknown): TreeHeadPayload {
  assertShape(value, 'tree head', ['treeSize', 'rootHash', 'timestamp']);
  assertIndex(value.treeSize, 'tree head treeSize');
  assertSha256Base64url(value.rootHash, 'tree head rootHash');
  assertTimestamp(value.timestamp, 'tree head timestamp');
  return value as unknown as TreeHeadPayload;
}

export async function signTreeHead(head: TreeHeadPayload, key: SigningKey): Promise<string> {
  const { treeSize, rootHash, timestamp } = head;
  return signTyped(
    parseTreeHeadPayload({ treeSize, rootHash, timestamp }),
    TREE_HEAD_JWS_TYPE,
    key,
  );
}

export async function verifyTreeHead(
  jws: string,
  jwks: readonly JWK[] | VerificationKeys,
): Promise<TreeHeadPayload> {
  return parseTreeHeadPayload(await verifyTyped(jws, TREE_HEAD_JWS_TYPE, jwks));
}
