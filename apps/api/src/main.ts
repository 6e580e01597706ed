import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { getAbsoluteFSPath } from 'swagger-ui-dist';
import { ConfigError, loadConfig } from '#config';
import { ensureDatabase } from '#database';
import { LETTER_LIMITS } from '#letters';
import { JobProducer } from '#queue';
import { ApiModule } from './app.module';
import { mountDevOidc } from './dev-oidc/dev-oidc-provider';
import { serveWebClient } from './web-client/serve-web-client';

async function main(): Promise<void> {
  const config = await loadConfig();
  if (config.env !== 'production') await ensureDatabase(config.databaseUrl);
  const app = await NestFactory.create<NestExpressApplication>(ApiModule.register(config), {
    bufferLogs: true,
    rawBody: true,
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  app.useBodyParser('json', { limit: LETTER_LIMITS.maxRequestBytes });
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.useStaticAssets(getAbsoluteFSPath(), { prefix: '/docs/assets', index: false });
  // Before Nest's routes: the development issuer at /dev-oidc, the web client at /.
  if (config.oidc.devIssuer) await mountDevOidc(app, config);
  serveWebClient(app, config);
  app.enableShutdownHooks();
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
