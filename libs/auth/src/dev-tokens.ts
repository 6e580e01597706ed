import { SignJWT, importJWK, type JWK } from 'jose';
import { randomUUID } from 'node:crypto';

/**
 * Access tokens from the development issuer, for local runs and tests only (the issuer is off
 * in production). Shaped as RFC 9068 access tokens so the same verifier checks them.
 */
export async function issueDevAccessToken(options: {
  issuer: string;
  audience: string;
  key: { privateJwk: JWK; kid: string };
  subject: string;
  claims: Record<string, unknown>;
  expiresInSeconds?: number;
}): Promise<string> {
  const key = await importJWK(options.key.privateJwk, 'ES256');
  return new SignJWT({ ...options.claims, client_id: 'postkasse-dev' })
    .setProtectedHeader({ alg: 'ES256', kid: options.key.kid, typ: 'at+jwt' })
    .setIssuer(options.issuer)
    .setAudience(options.audience)
    .setSubject(options.subject)
    .setIssuedAt()
    .setJti(randomUUID())
    .setExpirationTime(`${options.expiresInSeconds ?? 3600}s`)
    .sign(key);
}
