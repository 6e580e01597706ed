import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

import { EnvelopeError } from './errors';
import type { MasterKeyring } from './master-keys';

export type { MasterKeyring } from './master-keys';
export { parseMasterKeys } from './master-keys';

const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** AES-256-GCM; returns iv(12) || tag(16) || ciphertext. A fresh random iv every time. */
export function seal(key: Buffer, plaintext: Uint8Array, aad: Buffer): Buffer {
  assertKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), ciphertext]);
}

/** Throws EnvelopeError unless key, additional data and every byte of `sealed` are right. */
export function unseal(key: Buffer, sealed: Buffer, aad: Buffer): Buffer {
  assertKey(key);
  if (sealed.length < IV_BYTES + TAG_BYTES) {
    throw new EnvelopeError(`sealed data is ${sealed.length} bytes, shorter than iv and tag`);
  }
  const iv = sealed.subarray(0, IV_BYTES);
  const tag = sealed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES);
  const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([
      decipher.update(sealed.subarray(IV_BYTES + TAG_BYTES)),
      decipher.final(),
    ]);
  } catch {
    throw new EnvelopeError('authentication failed: wrong key, wrong context or tampered data');
  }
}

/**
 * Binds a sealed document to its place: a ciphertext copied onto another document, letter or
 * key version fails to open. JSON of an array is unambiguous whatever the ids contain.
 */
export function documentAad(letterId: string, documentId: string, keyVersion: number): Buffer {
  assertVersion(keyVersion);
  return Buffer.from(JSON.stringify(['postkasse.document.v1', letterId, documentId, keyVersion]));
}

export function wrapDataKey(
  keyring: MasterKeyring,
  dataKey: Buffer,
  mailboxId: string,
): { wrapped: Buffer; masterKeyVersion: number } {
  assertKey(dataKey, 'data key');
  const { version, key } = keyring.current;
  return { wrapped: seal(key, dataKey, dataKeyAad(mailboxId, version)), masterKeyVersion: version };
}

export function unwrapDataKey(
  keyring: MasterKeyring,
  wrapped: Buffer,
  masterKeyVersion: number,
  mailboxId: string,
): Buffer {
  const key = keyring.byVersion(masterKeyVersion);
  const dataKey = unseal(key, wrapped, dataKeyAad(mailboxId, masterKeyVersion));
  assertKey(dataKey, 'unwrapped data key');
  return dataKey;
}

export function newDataKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

// A wrapped key moved to another mailbox must not open there.
function dataKeyAad(mailboxId: string, masterKeyVersion: number): Buffer {
  return Buffer.from(JSON.stringify(['postkasse.data-key.v1', mailboxId, masterKeyVersion]));
}

function assertKey(key: Buffer, what = 'key'): void {
  if (key.length !== KEY_BYTES) {
    throw new EnvelopeError(`${what} must be ${KEY_BYTES} bytes, got ${key.length}`);
  }
}

function assertVersion(version: number): void {
  if (!Number.isSafeInteger(version) || version < 0) {
    throw new EnvelopeError(`key version must be a non-negative integer, got ${version}`);
  }
}
