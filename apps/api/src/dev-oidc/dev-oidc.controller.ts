import { Controller, Get, Inject } from '@nestjs/common';
import type { JWK } from 'jose';
import { Public } from '#auth';
import { APP_CONFIG, type AppConfig } from '#config';

function publicPart(jwk: JWK): JWK {
  const { d: _d, ...rest } = jwk;
  return rest;
}

/**
 * The development OpenID Connect issuer's public face: discovery and keys. It is registered only
 * when DEV_OIDC_ISSUER is on (never in production); `npm run cli -- dev token` signs its tokens.
 */
@Controller('dev-oidc')
@Public()
export class DevOidcController {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  @Get('.well-known/openid-configuration')
  discovery() {
    const issuer = this.config.oidc.issuer;
    return {
      issuer,
      jwks_uri: `${issuer}/jwks`,
      id_token_signing_alg_values_supported: ['ES256'],
      subject_types_supported: ['public'],
      response_types_supported: ['code'],
    };
  }

  @Get('jwks')
  jwks() {
    const dev = this.config.oidc.devIssuer!;
    return { keys: [{ ...publicPart(dev.privateJwk), kid: dev.kid, alg: 'ES256', use: 'sig' }] };
  }
}
