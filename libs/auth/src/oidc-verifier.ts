import { createRemoteJWKSet, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { UnavailableError } from '#errors';
import type { AuditorPrincipal, CitizenPrincipal } from './principals';

export interface OidcSettings {
  issuer: string;
  audience: string;
  algorithms: string[];
  nationalIdClaim: string;
  rolesClaim: string;
}

export class InvalidTokenError extends Error {}

/**
 * Checks OIDC access tokens against the issuer's published keys (RFC 9068 profile: `typ:
 * at+jwt`, `iss`, `aud`, `exp`/`nbf`, an allow-list of algorithms). The key set is found through
 * the issuer's discovery document on first use and cached by jose.
 */
export class OidcVerifier {
  private jwks: Promise<JWTVerifyGetKey> | null = null;

  constructor(
    private readonly settings: OidcSettings,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  async verify(token: string): Promise<CitizenPrincipal | AuditorPrincipal | { kind: 'unknown' }> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, await this.keys(), {
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        algorithms: this.settings.algorithms,
        typ: 'at+jwt',
        requiredClaims: ['exp', 'sub'],
        clockTolerance: 30,
      }));
    } catch (error) {
      if (error instanceof UnavailableError) throw error;
      throw new InvalidTokenError((error as Error).message);
    }
    const name = typeof payload.name === 'string' ? payload.name : String(payload.sub);
    const roles = payload[this.settings.rolesClaim];
    if (Array.isArray(roles) && roles.includes('auditor')) {
      return { kind: 'auditor', subject: String(payload.sub), name };
    }
    const nationalId = payload[this.settings.nationalIdClaim];
    if (typeof nationalId === 'string' && nationalId.length > 0) {
      return { kind: 'citizen', subject: String(payload.sub), nationalId, name };
    }
    return { kind: 'unknown' };
  }

  private keys(): Promise<JWTVerifyGetKey> {
    this.jwks ??= this.discover().catch((error: unknown) => {
      this.jwks = null;
      throw error;
    });
    return this.jwks;
  }

  private async discover(): Promise<JWTVerifyGetKey> {
    const url = `${this.settings.issuer}/.well-known/openid-configuration`;
    let document: { issuer?: string; jwks_uri?: string };
    try {
      const response = await this.fetchImpl(url, { signal: AbortSignal.timeout(5_000) });
      if (!response.ok) throw new Error(`answered ${response.status}`);
      document = (await response.json()) as typeof document;
    } catch (error) {
      throw new UnavailableError(`OIDC discovery at ${url} failed: ${(error as Error).message}`);
    }
    if (document.issuer !== this.settings.issuer || !document.jwks_uri) {
      throw new UnavailableError(
        `OIDC discovery: ${url} does not describe ${this.settings.issuer}`,
      );
    }
    return createRemoteJWKSet(new URL(document.jwks_uri));
  }
}
