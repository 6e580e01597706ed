import { createHmac } from 'node:crypto';

// A short key would make the HMAC guessable: Norway has only a few million valid numbers, so
// the key is the one thing between a stolen table and the identities in it.
const MIN_KEY_BYTES = 16;

function hmac(key: Buffer, nationalId: string): Buffer {
  if (key.length < MIN_KEY_BYTES) {
    throw new RangeError(`HMAC key must be at least ${MIN_KEY_BYTES} bytes`);
  }
  return createHmac('sha256', key).update(nationalId, 'utf8').digest();
}

/**
 * The only form of a national identity number the database holds. The pepper is kept outside
 * the database, so a copy of the database alone cannot be searched for a person.
 */
export function nationalIdHmac(pepper: Buffer, nationalId: string): Buffer {
  return hmac(pepper, nationalId);
}

/**
 * The recipient as named in signed receipts. It uses a key of its own, not the pepper:
 * receipts are handed to agencies and auditors and live forever in the log, so a receipt must
 * not reveal the database's lookup key, and the two can be rotated apart.
 */
export function recipientRef(key: Buffer, nationalId: string): string {
  return hmac(key, nationalId).toString('base64url');
}
