import { importJWK, type CryptoKey, type JWK } from 'jose';

/**
 * The public keys a verifier trusts, found by kid. Imported keys are kept, so verifying a whole
 * log export imports each key once.
 */
export class VerificationKeys {
  private readonly byKid = new Map<string, JWK>();
  private readonly imported = new Map<string, Promise<CryptoKey>>();

  constructor(jwks: readonly JWK[]) {
    for (const jwk of jwks) {
      // Only Ed25519 keys can have made our signatures; anything else in a JWKS is ignored
      // rather than trusted for an algorithm we never use.
      if (typeof jwk.kid !== 'string' || jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519') continue;
      if (typeof jwk.x !== 'string' || this.byKid.has(jwk.kid)) continue;
      // Copy only the public part: a private JWK passed by mistake must not be used as such.
      this.byKid.set(jwk.kid, { kty: 'OKP', crv: 'Ed25519', x: jwk.x });
    }
  }

  static from(keys: readonly JWK[] | VerificationKeys): VerificationKeys {
    return keys instanceof VerificationKeys ? keys : new VerificationKeys(keys);
  }

  get(kid: string): Promise<CryptoKey> {
    let key = this.imported.get(kid);
    if (!key) {
      const jwk = this.byKid.get(kid);
      if (!jwk) return Promise.reject(new Error(`no trusted key with kid ${JSON.stringify(kid)}`));
      key = importJWK(jwk, 'EdDSA') as Promise<CryptoKey>;
      this.imported.set(kid, key);
    }
    return key;
  }
}
