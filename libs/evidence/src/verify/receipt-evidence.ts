import type { JWK } from 'jose';
import type { ReceiptPayload } from '../receipt-payload';
import { verifyReceipt } from '../receipt';
import { verifyTreeHead } from '../tree-head';
import { VerificationKeys } from '../verification-keys';
import { hashLeaf } from './hashing';
import { verifyInclusion } from './inclusion';

/** One receipt as a citizen keeps it: its JWS, the proof, and the signed head the proof is for. */
export interface ReceiptEvidence {
  jws: string;
  inclusionProof: { leafIndex: number; treeSize: number; path: string[] };
  treeHead: { jws: string };
}

export type ReceiptEvidenceResult =
  | { ok: true; receipt: ReceiptPayload; treeSize: number; rootHash: string }
  | { ok: false; reason: string };

/**
 * That `evidence.jws` is a receipt signed by one of `keys` and entry `leafIndex` of the log
 * whose head (also signed by `keys`) is `treeHead` (RFC 9162 §2.1.3.2). Offline: only the file
 * and the platform's public receipt keys. The head is what witnesses compare across auditors.
 */
export async function verifyReceiptEvidence(
  evidence: ReceiptEvidence,
  keys: readonly JWK[] | VerificationKeys,
): Promise<ReceiptEvidenceResult> {
  const trusted = VerificationKeys.from(keys);
  let receipt: ReceiptPayload;
  try {
    receipt = await verifyReceipt(evidence.jws, trusted);
  } catch (error) {
    return { ok: false, reason: `the receipt does not verify: ${(error as Error).message}` };
  }
  const proof = evidence.inclusionProof;
  if (!proof || !evidence.treeHead)
    return { ok: false, reason: 'no inclusion proof yet: fetch the receipt again in a minute' };
  let head;
  try {
    head = await verifyTreeHead(evidence.treeHead.jws, trusted);
  } catch (error) {
    return { ok: false, reason: `the tree head does not verify: ${(error as Error).message}` };
  }
  if (proof.treeSize !== head.treeSize)
    return {
      ok: false,
      reason: `the proof is for ${proof.treeSize} entries, the signed head has ${head.treeSize}`,
    };
  if (proof.leafIndex !== receipt.logIndex)
    return {
      ok: false,
      reason: `the proof is for entry ${proof.leafIndex}, the receipt is entry ${receipt.logIndex}`,
    };
  const included = verifyInclusion(
    hashLeaf(Buffer.from(evidence.jws, 'utf8')),
    proof.leafIndex,
    proof.treeSize,
    proof.path.map((hash) => Buffer.from(hash, 'base64url')),
    Buffer.from(head.rootHash, 'base64url'),
  );
  if (!included)
    return { ok: false, reason: 'the inclusion proof does not lead to the signed root' };
  return { ok: true, receipt, treeSize: head.treeSize, rootHash: head.rootHash };
}
