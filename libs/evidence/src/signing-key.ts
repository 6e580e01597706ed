import { createPrivateKey, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';

/** A private Ed25519 key as kept in configuration, with the key id that names it in JWS headers. */
export interface SigningKey {
  privateJwk: JWK;
  kid: string;
}

export interface GeneratedSigningKey extends SigningKey {
  publicJwk: JWK;
}

/**
 * A new Ed25519 signing key. The kid is the RFC 7638 thumbprint of the public key, so a kid
 * can never silently name two different keys across rotations.
 */
export async function generateReceiptKey(): Promise<GeneratedSigningKey> {
  const { publicKey, privateKey } = await generateKeyPair('Ed25519', { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk, 'sha256');
  const labels = { kid, alg: 'EdDSA', use: 'sig' };
  return {
    kid,
    publicJwk: { ...publicJwk, ...labels },
    privateJwk: { ...(await exportJWK(privateKey)), ...labels },
  };
}

// Importing a JWK costs about as much as a signature; the sequencer signs in batches with the
// same configured key object, so keep the imported key per JWK object.
const imported = new WeakMap<JWK, KeyObject>();

export function signingKeyObject(privateJwk: JWK): KeyObject {
  let key = imported.get(privateJwk);
  if (!key) {
    if (privateJwk.kty !== 'OKP' || privateJwk.crv !== 'Ed25519' || !privateJwk.d) {
      throw new TypeError('signing key must be a private Ed25519 JWK');
    }
    key = createPrivateKey({
      key: { kty: 'OKP', crv: 'Ed25519', x: privateJwk.x, d: privateJwk.d },
      format: 'jwk',
    });
    imported.set(privateJwk, key);
  }
  return key;
}
