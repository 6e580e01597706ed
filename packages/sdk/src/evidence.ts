import type { JWK } from 'jose';
// The project's offline verifier (written from RFC 9162 and RFC 7515, apart from the server's
// tree-building code), built into this package. These modules import only node:crypto, jose
// and canonicalize; packages/sdk/src/package.spec.ts keeps it so.
import { verifyReceipt as verifyReceiptJws } from '../../../libs/evidence/src/receipt';
import type { ReceiptPayload } from '../../../libs/evidence/src/receipt-payload';
import type { VerificationKeys } from '../../../libs/evidence/src/verification-keys';
import { verifyReceiptEvidence } from '../../../libs/evidence/src/verify/receipt-evidence';
import type { components } from './api-types';
import { PostkasseError } from './errors';

export type { ReceiptPayload };
export type InclusionProof = components['schemas']['InclusionProof'];
export type SignedTreeHead = components['schemas']['SignedTreeHead'];

/** The receipt keys to trust: `GET /v1/platform/keys` → `receipts.keys`, kept by the agency. */
export type ReceiptKeys = readonly JWK[] | VerificationKeys;

/**
 * The payload of a receipt JWS, if one of `keys` signed it (Ed25519, the exact header the
 * platform writes, RFC 8785 canonical payload). Throws a PostkasseError otherwise.
 */
export async function verifyReceipt(jws: string, keys: ReceiptKeys): Promise<ReceiptPayload> {
  try {
    return await verifyReceiptJws(jws, keys);
  } catch (error) {
    throw new PostkasseError(`the receipt does not verify: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/**
 * That the receipt `jws` is entry `proof.leafIndex` of the log whose signed tree head is
 * `treeHead` (RFC 9162 §2.1.3.2), both signed by `keys`. The tree head is what an auditor or a
 * witness publishes; checking it against heads seen elsewhere is what catches a split view.
 */
export async function verifyReceiptInclusion(
  jws: string,
  proof: InclusionProof,
  treeHead: SignedTreeHead,
  keys: ReceiptKeys,
): Promise<ReceiptPayload> {
  const result = await verifyReceiptEvidence({ jws, inclusionProof: proof, treeHead }, keys);
  if (!result.ok) throw new PostkasseError(result.reason);
  return result.receipt;
}
