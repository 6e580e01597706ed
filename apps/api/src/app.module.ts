import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { AppConfig } from '#config';
import { loggedError } from '#errors';
import { dataSourceOptions } from '#database';
import { ProblemFilter } from '#http';
import { AuditController } from './audit/audit.controller';
import { HealthController } from './health/health.controller';
import { loggedPath } from './logged-path';
import { MetricsController } from './metrics/metrics.controller';
import { DocumentViewController } from './mailbox/document-view.controller';
import { GrantsController, MeController } from './mailbox/access.controller';
import { MailboxController } from './mailbox/mailbox.controller';
import { MailboxKeyController } from './mailbox/mailbox-key.controller';
import { MailboxSettings } from './mailbox/mailbox-settings';
import {
  EmailConfirmationController,
  EmailConfirmationResendController,
} from './mailbox/email-confirmation.controller';
import { EmailConfirmationService } from './mailbox/email-confirmation.service';
import { DocsController, OPENAPI_DOCUMENT } from './openapi/docs.controller';
import { buildOpenApiDocument } from './openapi/document';
import { PlatformController } from './platform/platform.controller';
import { apiProviders } from './providers';
import { RateLimitedAuthGuard } from './rate-limit/rate-limited-auth.guard';
import { EventsController } from './sender/events.controller';
import { LettersController } from './sender/letters.controller';
import { LetterBatchesController } from './sender/letter-batches.controller';
import { RecipientsController } from './sender/recipients.controller';
import { WebhooksController } from './sender/webhooks.controller';

/**
 * Logs carry a request id and never bodies, tokens or personal data: paths are logged without
 * their query or a document view's ticket (`loggedPath`), errors without the failed query's
 * parameters.
 */
function loggerOptions(config: AppConfig) {
  return {
    pinoHttp: {
      level: config.logLevel,
      genReqId: (req: IncomingMessage) => {
        const given = req.headers['x-request-id'];
        return typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
      },
      redact: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["idempotency-key"]'],
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          url: loggedPath(req.url),
        }),
        err: loggedError,
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      autoLogging: {
        ignore: (req: IncomingMessage) =>
          (req.url?.startsWith('/health') || req.url?.startsWith('/metrics')) ?? false,
      },
    },
  };
}

/** Every controller the API serves; /openapi.json is generated from their route declarations. */
export const API_CONTROLLERS = [
  PlatformController,
  LettersController,
  LetterBatchesController,
  EventsController,
  RecipientsController,
  MeController,
  MailboxController,
  GrantsController,
  DocumentViewController,
  MailboxKeyController,
  EmailConfirmationController,
  EmailConfirmationResendController,
  HealthController,
  MetricsController,
  DocsController,
  AuditController,
  WebhooksController,
];

@Module({})
export class ApiModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        LoggerModule.forRoot(loggerOptions(config)),
        TypeOrmModule.forRoot({
          ...dataSourceOptions(config.databaseUrl, config.databasePoolSize),
          retryAttempts: 3,
        }),
      ],
      controllers: API_CONTROLLERS,
      providers: [
        ...apiProviders(config),
        MailboxSettings,
        EmailConfirmationService,
        { provide: OPENAPI_DOCUMENT, useValue: buildOpenApiDocument(API_CONTROLLERS, '/') },
        { provide: APP_GUARD, useExisting: RateLimitedAuthGuard },
        { provide: APP_FILTER, useClass: ProblemFilter },
      ],
    };
  }
}
