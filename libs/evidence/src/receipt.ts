import type { JWK } from 'jose';
import { parseReceiptPayload, type ReceiptPayload } from './receipt-payload';
import type { SigningKey } from './signing-key';
import { signTyped, verifyTyped } from './typed-jws';
import type { VerificationKeys } from './verification-keys';

export const RECEIPT_JWS_TYPE = 'postkasse-receipt+jws';

/** The receipt as a compact JWS over its RFC 8785 form, as appended to the evidence log. */
export async function signReceipt(payload: ReceiptPayload, key: SigningKey): Promise<string> {
  // Checked before signing: a signature is forever, and the log is insert-only.
  return signTyped(parseReceiptPayload(payload), RECEIPT_JWS_TYPE, key);
}

/** The payload of a receipt JWS signed by one of `publicJwks`; throws if anything is off. */
export async function verifyReceipt(
  jws: string,
  publicJwks: readonly JWK[] | VerificationKeys,
): Promise<ReceiptPayload> {
  return parseReceiptPayload(await verifyTyped(jws, RECEIPT_JWS_TYPE, publicJwks));
}
