import type { JWK } from 'jose';
import { ACCESS_LEAF_JWS_TYPE, verifyAccessLeaf, type AccessLeafPayload } from './access-leaf';
import { verifyReceipt } from './receipt';
import type { ReceiptPayload } from './receipt-payload';
import type { VerificationKeys } from './verification-keys';

/** One entry of the log: a letter's receipt, or an access-log entry's leaf. */
export type LogEntryPayload =
  | { kind: 'receipt'; payload: ReceiptPayload }
  | { kind: 'access_entry'; payload: AccessLeafPayload };

/** The JWS header's typ, read without trusting it: the verification that follows checks it. */
function typOf(jws: string): unknown {
  try {
    const header: unknown = JSON.parse(
      Buffer.from(jws.split('.')[0] ?? '', 'base64url').toString(),
    );
    return typeof header === 'object' && header !== null && 'typ' in header
      ? header.typ
      : undefined;
  } catch {
    return undefined;
  }
}

/** Verifies a log entry of either kind; throws as verifyReceipt does for anything else. */
export async function verifyLogEntry(
  jws: string,
  keys: readonly JWK[] | VerificationKeys,
): Promise<LogEntryPayload> {
  if (typOf(jws) === ACCESS_LEAF_JWS_TYPE) {
    return { kind: 'access_entry', payload: await verifyAccessLeaf(jws, keys) };
  }
  return { kind: 'receipt', payload: await verifyReceipt(jws, keys) };
}
