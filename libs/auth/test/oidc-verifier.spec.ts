import { UnavailableError } from '#errors';
import { OidcVerifier, type OidcSettings } from '../src/oidc-verifier';

const ISSUER = 'https://login.example.org/realms/citizens';

function verifierDiscovering(jwksUri: string, requireHttps: boolean): OidcVerifier {
  const settings: OidcSettings = {
    issuer: ISSUER,
    audience: 'postkasse',
    algorithms: ['ES256'],
    nationalIdClaim: 'national_id',
    rolesClaim: 'roles',
    organisationRolesClaim: 'organisation_roles',
    requireHttps,
  };
  const discovery = async () => Response.json({ issuer: ISSUER, jwks_uri: jwksUri });
  return new OidcVerifier(
    settings,
    { country: 'NO', allowSynthetic: false },
    discovery as typeof fetch,
  );
}

describe('the OIDC verifier', () => {
  it('refuses a key set served over http when https is required (production)', async () => {
    const verifier = verifierDiscovering('http://login.example.org/certs', true);
    const failure = await verifier.verify('a.b.c').catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(UnavailableError);
    expect((failure as Error).message).toMatch(/http:\/\/login\.example\.org\/certs.*https/);
  });

  it('fetches an https key set (and so fails only on the token itself)', async () => {
    const verifier = verifierDiscovering('https://login.example.org/certs', true);
    const failure = await verifier.verify('a.b.c').catch((e: unknown) => e);
    expect(failure).not.toBeInstanceOf(UnavailableError);
  });
});
