import { createRemoteJWKSet, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { UnavailableError } from '#errors';
import {
  identitySchemes,
  type IdentityCountry,
  type NationalIdScheme,
  type OrganisationNumberScheme,
} from '#identity';
import { administeredOrganisations } from './organisation-roles';
import type { AuditorPrincipal, CitizenPrincipal } from './principals';

export interface OidcSettings {
  issuer: string;
  audience: string;
  algorithms: string[];
  nationalIdClaim: string;
  rolesClaim: string;
  /** The claim listing organisations the person administers (see `administeredOrganisations`). */
  organisationRolesClaim: string;
  /** Refuse a discovery document whose key set is not served over HTTPS (production). */
  requireHttps: boolean;
}

export interface NationalIdPolicy {
  /** Whose national identity numbers a token may carry (`IDENTITY_COUNTRY`). */
  country: IdentityCountry;
  allowSynthetic: boolean;
}

export class InvalidTokenError extends Error {}

/** A correctly signed token whose national-id claim the identity scheme does not accept. */
export class UnacceptableIdentityError extends Error {}

/**
 * Checks OIDC access tokens against the issuer's published keys (RFC 9068 profile: `typ:
 * at+jwt`, `iss`, `aud`, `exp`/`nbf`, an allow-list of algorithms). The key set is found through
 * the issuer's discovery document on first use and cached by jose.
 */
export class OidcVerifier {
  private jwks: Promise<JWTVerifyGetKey> | null = null;

  private readonly scheme: NationalIdScheme;
  private readonly organisations: OrganisationNumberScheme;

  constructor(
    private readonly settings: OidcSettings,
    private readonly nationalIds: NationalIdPolicy,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {
    const schemes = identitySchemes(nationalIds.country);
    this.scheme = schemes.person;
    this.organisations = schemes.organisation;
  }

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
    const claim = this.settings.nationalIdClaim;
    const nationalId = payload[claim];
    if (nationalId === undefined) return { kind: 'unknown' };
    // The mailbox is found by this number: one the scheme refuses (a typo in the identity
    // provider's mapping, a test number in production) must not open or create a mailbox.
    if (typeof nationalId !== 'string')
      throw new UnacceptableIdentityError(`the token's ${claim} claim is not a string`);
    const valid = this.scheme.validate(nationalId, {
      allowSynthetic: this.nationalIds.allowSynthetic,
    });
    if (!valid.ok) {
      throw new UnacceptableIdentityError(
        `the token's ${claim} claim is not a valid national identity number: ${valid.reason}`,
      );
    }
    const administratorOf = administeredOrganisations(
      payload[this.settings.organisationRolesClaim],
      this.organisations,
    );
    return { kind: 'citizen', subject: String(payload.sub), nationalId, name, administratorOf };
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
    const jwksUrl = new URL(document.jwks_uri);
    // A key set fetched over http can be swapped on the way, and with it every token accepted.
    if (this.settings.requireHttps && jwksUrl.protocol !== 'https:') {
      throw new UnavailableError(
        `OIDC discovery: the key set ${jwksUrl.href} is not served over https`,
      );
    }
    return createRemoteJWKSet(jwksUrl);
  }
}
