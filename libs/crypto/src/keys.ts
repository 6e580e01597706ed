import * as openpgp from 'openpgp';

import { describeError } from './error-mapping';
import { OpenPgpError } from './errors';
import { MIN_RSA_BITS, strictConfig } from './openpgp-config';

export interface GeneratedPlatformKey {
  privateKeyArmored: string;
  publicKeyArmored: string;
  fingerprint: string;
}

export interface PlatformKey {
  key: openpgp.PrivateKey;
  fingerprint: string;
  /** Lowercase hex key ids of the subkeys messages may be encrypted to. */
  encryptionKeyIds: string[];
}

export interface SigningKey {
  fingerprint: string;
  /** Public part only, re-armored by openpgp. */
  armored: string;
}

/**
 * A v4 key with legacy EdDSA and ECDH over Curve25519: the newest format GnuPG 2.2 can
 * encrypt to, which many agencies still run. It has no passphrase; it is protected as a
 * deployment secret instead.
 */
export async function generatePlatformKey(name: string): Promise<GeneratedPlatformKey> {
  const { privateKey, publicKey } = await openpgp.generateKey({
    type: 'ecc',
    curve: 'curve25519Legacy',
    userIDs: [{ name }],
    format: 'armored',
    config: { v6Keys: false },
  });
  const key = await openpgp.readKey({ armoredKey: publicKey });
  return {
    privateKeyArmored: privateKey,
    publicKeyArmored: publicKey,
    fingerprint: key.getFingerprint(),
  };
}

export async function readPlatformKey(
  privateKeyArmored: string,
  passphrase?: string,
): Promise<PlatformKey> {
  let key: openpgp.PrivateKey;
  try {
    key = await openpgp.readPrivateKey({ armoredKey: privateKeyArmored });
  } catch (error) {
    throw new OpenPgpError(
      'openpgp.malformed',
      `platform key is not an armored private key: ${describeError(error)}`,
    );
  }
  if (!key.isDecrypted()) {
    if (passphrase === undefined) {
      throw new OpenPgpError(
        'openpgp.malformed',
        'platform key is protected by a passphrase, none given',
      );
    }
    try {
      key = await openpgp.decryptKey({ privateKey: key, passphrase });
    } catch (error) {
      throw new OpenPgpError(
        'openpgp.malformed',
        `platform key cannot be unlocked: ${describeError(error)}`,
      );
    }
  }
  const decryptionKeys = await key.getDecryptionKeys().catch(() => []);
  if (decryptionKeys.length === 0) {
    throw new OpenPgpError('openpgp.unusable_key', 'platform key has no usable encryption subkey');
  }
  return {
    key,
    fingerprint: key.getFingerprint(),
    encryptionKeyIds: decryptionKeys.map((subkey) => subkey.getKeyID().toHex()),
  };
}

/**
 * Checks an agency's key at registration. A private key is accepted by mistake-tolerance but
 * only its public part is returned, so the secret never reaches storage.
 */
export async function readSigningKey(publicKeyArmored: string): Promise<SigningKey> {
  const first = await readOneKey(publicKeyArmored, 'key');
  const key = first.toPublic();
  checkStrength(key.keyPacket.getAlgorithmInfo(), 'primary key');

  let signingKey: openpgp.PublicKey | openpgp.Subkey;
  try {
    signingKey = await key.getSigningKey(undefined, new Date(), undefined, keyUseConfig());
  } catch (error) {
    const detail = describeError(error);
    if (/too weak|is disabled/.test(detail)) {
      throw new OpenPgpError('openpgp.weak_algorithm', detail);
    }
    throw new OpenPgpError('openpgp.unusable_key', `key cannot make signatures: ${detail}`);
  }
  checkStrength(signingKey.getAlgorithmInfo(), 'signing key');
  return { fingerprint: key.getFingerprint(), armored: key.armor() };
}

/** Exactly one armored key, parsed under the strict configuration. */
async function readOneKey(armored: string, what: string): Promise<openpgp.Key> {
  let keys: openpgp.Key[];
  try {
    keys = await openpgp.readKeys({ armoredKeys: armored, config: strictConfig() });
  } catch (error) {
    throw new OpenPgpError(
      'openpgp.malformed',
      `not an armored OpenPGP ${what}: ${describeError(error)}`,
    );
  }
  const [first] = keys;
  if (!first || keys.length !== 1) {
    throw new OpenPgpError('openpgp.malformed', `expected exactly one key, found ${keys.length}`);
  }
  return first;
}

/** What deciding a key's usable (sub)key needs: openpgp's defaults under our strict limits. */
const keyUseConfig = () => ({ ...openpgp.config, ...strictConfig() });

function checkStrength(info: openpgp.AlgorithmInfo, which: string): void {
  if (info.algorithm.startsWith('rsa') && (info.bits ?? 0) < MIN_RSA_BITS) {
    throw new OpenPgpError(
      'openpgp.weak_algorithm',
      `${which} is RSA with ${info.bits ?? 0} bits; at least ${MIN_RSA_BITS} are required`,
    );
  }
  if (info.algorithm === 'dsa' || info.algorithm === 'elgamal') {
    throw new OpenPgpError(
      'openpgp.weak_algorithm',
      `${which} uses ${info.algorithm}, which is not accepted`,
    );
  }
}

export interface EncryptionKey {
  fingerprint: string;
  /** Public part only, re-armored by openpgp. */
  armored: string;
  /** Lowercase hex key ids of the (sub)keys messages may be encrypted to now. */
  encryptionKeyIds: string[];
}

/**
 * An agency's key for what it receives (replies): exactly one public key that can encrypt
 * now, of a strength its signing keys would need. A private key is refused rather than cut
 * down to its public part: whoever handed it over should learn that it left their hands.
 */
export async function readEncryptionKey(armored: string): Promise<EncryptionKey> {
  const key = await readOneKey(armored, 'public key');
  if (key.isPrivate()) {
    throw new OpenPgpError(
      'openpgp.malformed',
      'this is a private key; give only the public key (gpg --armor --export), and keep the private key with the agency',
    );
  }
  checkStrength(key.keyPacket.getAlgorithmInfo(), 'primary key');
  let subkey: openpgp.PublicKey | openpgp.Subkey;
  try {
    subkey = await key.getEncryptionKey(undefined, new Date(), undefined, keyUseConfig());
  } catch (error) {
    throw new OpenPgpError(
      'openpgp.unusable_key',
      `key has no usable encryption subkey (a signing-only key cannot receive): ${describeError(error)}`,
    );
  }
  checkStrength(subkey.getAlgorithmInfo(), 'encryption key');
  return {
    fingerprint: key.getFingerprint(),
    armored: key.armor(),
    encryptionKeyIds: [subkey.getKeyID().toHex()],
  };
}
