import 'reflect-metadata';
import { dirname } from 'node:path';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { ConfigError, loadConfig } from '#config';
import { ensureDatabase } from '#database';
import { BodySlots, bodyIntake } from '#http';
import { LETTER_LIMITS } from '#letters';
import { ApiMetrics, requestMetrics } from '#metrics';
import { JobProducer } from '#queue';
import { ApiKeyAuthenticator, OidcVerifier } from '#auth';
import { ApiModule } from './app.module';
import { mountDevOidc } from './dev-oidc/dev-oidc-provider';
import { letterRoutes } from './sender/letter-routes';
import { serveWebClient } from './web-client/serve-web-client';

// Only the files are served; the package's index would load and run its 4 MB browser bundle
// in the API process (about 25 MB of memory at rest, for nothing).
const SWAGGER_UI_ASSETS = dirname(require.resolve('swagger-ui-dist/package.json'));

async function main(): Promise<void> {
  const config = await loadConfig();
  if (config.env !== 'production') await ensureDatabase(config.databaseUrl);
  const app = await NestFactory.create<NestExpressApplication>(ApiModule.register(config), {
    bufferLogs: true,
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  // First, so that a request's time includes reading its body and the guard.
  app.use(requestMetrics(app.get(ApiMetrics)));
  // Before routing and the guard, so the limit is chosen (and a letter's sender known) before
  // a byte is read.
  app.use(
    bodyIntake({
      jsonOnlyUnder: '/v1/',
      limit: config.http.bodyLimitBytes,
      large: {
        limit: LETTER_LIMITS.maxRequestBytes,
        routes: letterRoutes(config, app.get(ApiKeyAuthenticator), app.get(OidcVerifier)),
        slots: new BodySlots(config.http.letterBodySlots, config.http.letterBodyWaitMs),
      },
    }),
  );
  app.disable('x-powered-by');
  // The client address behind the named proxies is what the per-address request limit counts.
  app.set('trust proxy', config.http.trustProxy);
  app.useStaticAssets(SWAGGER_UI_ASSETS, { prefix: '/docs/assets', index: false });
  // Before Nest's routes: the development issuer at /dev-oidc, the web client at /.
  if (config.oidc.devIssuer) await mountDevOidc(app, config);
  serveWebClient(app, config);
  // Only the signals that mean "stop"; Nest's default list would also stop on SIGUSR2 or SIGHUP.
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  app.get(JobProducer);
  await app.listen(config.http.port, config.http.host);
  app.get(Logger).log(`Postkasse API listening on http://${config.http.host}:${config.http.port}`);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(error.message);
  } else {
    console.error('API failed to start:', error);
  }
  process.exit(1);
});
