import type { JWK } from 'jose';
import {
  ACCESS_LEAF_MAX_DELAY_MS,
  accessEntryHash,
  parseAccessEntryRecord,
  verifyAccessLeaf,
  type AccessEntryRecord,
  type AccessLeafPayload,
} from '../access-leaf';
import { isObject } from '../payload-checks';
import { verifyTreeHead, type SignedTreeHead } from '../tree-head';
import { VerificationKeys } from '../verification-keys';
import { hashLeaf } from './hashing';
import { verifyInclusion } from './inclusion';

/** An access-log entry's leaf as served: its log entry and its inclusion proof (base64url). */
export interface AccessLeafProof {
  index: number;
  jws: string;
  inclusionProof: string[];
}

/**
 * A citizen's access log with its evidence (`GET /v1/mailbox/access-log/evidence`): the entries
 * they can see, every leaf of their mailbox they can see, and the head the proofs are against.
 */
export interface AccessLogEvidence {
  treeHead: SignedTreeHead;
  entries: AccessEntryRecord[];
  leaves: AccessLeafProof[];
}

export type AccessLogCheck =
  | { ok: true; entries: number; leaves: number; treeSize: number }
  | { ok: false; problems: string[] };

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * Checks a citizen's access log against the transparency log, offline:
 *
 * - the tree head is signed by a trusted key, and each leaf is an access leaf signed by one,
 *   at its own index, for the same mailbox, and included in that head's tree;
 * - every entry hashes to one of those leaves, committed within a day after the time the entry
 *   claims (so an entry added without a leaf, changed or backdated is named);
 * - every leaf has its entry (so an entry removed from the access log is named).
 *
 * Everything is checked against signed payloads; the problems are listed in that order.
 */
export async function verifyAccessLogEvidence(
  evidence: unknown,
  jwks: readonly JWK[] | VerificationKeys,
): Promise<AccessLogCheck> {
  const keys = VerificationKeys.from(jwks);
  if (!isObject(evidence) || !Array.isArray(evidence.entries) || !Array.isArray(evidence.leaves))
    return { ok: false, problems: ['not an access log with its evidence'] };
  const headLine = evidence.treeHead;
  if (!isObject(headLine) || typeof headLine.jws !== 'string')
    return { ok: false, problems: ['the evidence has no signed tree head'] };
  let head;
  try {
    head = await verifyTreeHead(headLine.jws, keys);
  } catch (err) {
    return { ok: false, problems: [`the tree head does not verify: ${message(err)}`] };
  }
  const root = Buffer.from(head.rootHash, 'base64url');
  const problems: string[] = [];
  const leaves = new Map<string, { index: number; payload: AccessLeafPayload }>();
  let recipientRef: string | null = null;

  for (const [i, value] of (evidence.leaves as unknown[]).entries()) {
    const leaf = await checkLeaf(value, keys, head.treeSize, root);
    if (typeof leaf === 'string') {
      problems.push(`leaves[${i}]: ${leaf}`);
      continue;
    }
    recipientRef ??= leaf.payload.recipientRef;
    if (leaf.payload.recipientRef !== recipientRef) {
      problems.push(`leaves[${i}]: leaf ${leaf.index} is of another mailbox`);
      continue;
    }
    leaves.set(leaf.payload.entryHash, leaf);
  }

  const matched = new Set<string>();
  for (const [i, value] of (evidence.entries as unknown[]).entries()) {
    let entry: AccessEntryRecord;
    try {
      entry = parseAccessEntryRecord(value);
    } catch (err) {
      problems.push(`entries[${i}]: ${message(err)}`);
      continue;
    }
    const hash = accessEntryHash(entry);
    const leaf = leaves.get(hash);
    if (!leaf) {
      problems.push(
        `entry ${entry.id} (${entry.at}) has no leaf in the log: it was added or changed afterwards`,
      );
      continue;
    }
    matched.add(hash);
    const delay = Date.parse(leaf.payload.at) - Date.parse(entry.at);
    if (delay < 0 || delay > ACCESS_LEAF_MAX_DELAY_MS) {
      problems.push(
        `entry ${entry.id} claims ${entry.at}, but its leaf ${leaf.index} was committed at ${leaf.payload.at}`,
      );
    }
  }
  for (const [hash, leaf] of leaves) {
    if (!matched.has(hash)) {
      problems.push(
        `leaf ${leaf.index} (${leaf.payload.at}) has no entry: an entry was removed from the access log`,
      );
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    entries: evidence.entries.length,
    leaves: leaves.size,
    treeSize: head.treeSize,
  };
}

/** One leaf checked on its own; a reason string when it fails. */
async function checkLeaf(
  value: unknown,
  keys: VerificationKeys,
  treeSize: number,
  root: Buffer,
): Promise<{ index: number; payload: AccessLeafPayload } | string> {
  if (
    !isObject(value) ||
    typeof value.jws !== 'string' ||
    typeof value.index !== 'number' ||
    !Array.isArray(value.inclusionProof) ||
    !value.inclusionProof.every((p) => typeof p === 'string')
  )
    return 'not an {"index", "jws", "inclusionProof"} leaf';
  let payload: AccessLeafPayload;
  try {
    payload = await verifyAccessLeaf(value.jws, keys);
  } catch (err) {
    return `does not verify: ${message(err)}`;
  }
  if (payload.logIndex !== value.index) return `is leaf ${payload.logIndex}, not ${value.index}`;
  const path = (value.inclusionProof as string[]).map((p) => Buffer.from(p, 'base64url'));
  const leafHash = hashLeaf(Buffer.from(value.jws, 'utf8'));
  if (!verifyInclusion(leafHash, value.index, treeSize, path, root))
    return `leaf ${value.index} is not included in the tree head of size ${treeSize}`;
  return { index: value.index, payload };
}
