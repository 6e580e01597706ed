import * as openpgp from 'openpgp';
import { DomainError } from '#errors';

/** Armored keys are a few kilobytes; anything far larger is not a key. */
const MAX_ARMORED_KEY_CHARS = 64 * 1024;

const invalidKey = (field: string, detail: string) =>
  new DomainError(400, 'mailbox.invalid_key', `${field}: ${detail}`, { field });

export interface CitizenKey {
  /** Re-armored public part only. */
  publicKey: string;
  fingerprint: string;
  /** Lowercase hex key ids that letters may be encrypted to. */
  encryptionKeyIds: string[];
}

/**
 * A citizen's public key for end-to-end letters: exactly one public key (a private key is
 * refused, so the secret never reaches the platform by mistake) that can encrypt now.
 */
export async function readCitizenKey(armored: string, field = 'publicKey'): Promise<CitizenKey> {
  if (armored.length > MAX_ARMORED_KEY_CHARS) throw invalidKey(field, 'the key is too large');
  let keys: openpgp.Key[];
  try {
    keys = await openpgp.readKeys({ armoredKeys: armored });
  } catch (error) {
    throw invalidKey(field, `not an armored OpenPGP key (${(error as Error).message})`);
  }
  if (keys.length !== 1) throw invalidKey(field, `expected one key, found ${keys.length}`);
  const key = keys[0]!;
  if (key.isPrivate()) throw invalidKey(field, 'this is a private key; send only the public key');
  const encryptionKeys = await encryptionKeysOf(key);
  if (encryptionKeys.length === 0) throw invalidKey(field, 'the key cannot encrypt');
  return {
    publicKey: key.armor(),
    fingerprint: key.getFingerprint(),
    encryptionKeyIds: encryptionKeys,
  };
}

async function encryptionKeysOf(key: openpgp.Key): Promise<string[]> {
  try {
    const subkey = await key.getEncryptionKey();
    return [subkey.getKeyID().toHex()];
  } catch {
    return [];
  }
}

/**
 * The private key the browser stored for other devices: it must belong to the public key and
 * be protected by a passphrase; an unprotected secret key is refused.
 */
export async function checkEncryptedPrivateKey(
  armored: string,
  fingerprint: string,
  field = 'encryptedPrivateKey',
): Promise<void> {
  if (armored.length > MAX_ARMORED_KEY_CHARS) throw invalidKey(field, 'the key is too large');
  let key: openpgp.PrivateKey;
  try {
    key = await openpgp.readPrivateKey({ armoredKey: armored });
  } catch (error) {
    throw invalidKey(field, `not an armored OpenPGP private key (${(error as Error).message})`);
  }
  if (key.getFingerprint() !== fingerprint) throw invalidKey(field, 'does not belong to publicKey');
  const packets = [key.keyPacket, ...key.subkeys.map((s) => s.keyPacket)];
  if (packets.some((p) => p.isDecrypted() !== false))
    throw invalidKey(field, 'the private key must be encrypted with a passphrase');
}

/** The key ids a citizen's armored public key accepts messages for. */
export async function citizenEncryptionKeyIds(armored: string): Promise<string[]> {
  return (await readCitizenKey(armored)).encryptionKeyIds;
}
