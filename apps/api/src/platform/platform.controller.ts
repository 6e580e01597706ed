import { Controller, Get, Inject } from '@nestjs/common';
import { Public } from '#auth';
import { APP_CONFIG, type AppConfig } from '#config';
import { Route } from '../openapi/route';
import { PLATFORM_KEY, type PlatformKey } from '../providers';
import { platformKeysSchema } from './platform.schemas';

@Controller('v1/platform')
export class PlatformController {
  constructor(
    @Inject(PLATFORM_KEY) private readonly platformKey: PlatformKey,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** What an agency encrypts to, and what anyone verifies receipts with. */
  @Get('keys')
  @Public()
  @Route({
    summary: "The platform's OpenPGP key and receipt keys (JWKS)",
    tag: 'platform',
    responses: { 200: { description: 'Keys', schema: platformKeysSchema } },
  })
  keys() {
    const { kid, publicJwk } = this.config.receiptSigningKey;
    return {
      openpgp: {
        fingerprint: this.platformKey.fingerprint,
        publicKey: this.platformKey.publicKeyArmored,
      },
      receipts: { keys: [{ ...publicJwk, kid, alg: 'EdDSA', use: 'sig' }] },
    };
  }
}
