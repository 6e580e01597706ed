import type { Provider } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { ApiKeyAuthenticator, AuthGuard, OidcVerifier } from '#auth';
import { APP_CONFIG, type AppConfig } from '#config';
import { readPlatformKey } from '#crypto';
import {
  CitizenMailbox,
  LetterEvidence,
  MailboxDirectory,
  ReceiptLog,
  RecipientLookup,
  SenderLetters,
  SubmitLetter,
  WebhookRegistry,
} from '#letters';
import { RequestRateLimiter } from '#http';
import { JobProducer, Outbox, producerConnection } from '#queue';
import type { CallerKind } from './rate-limit/callers';
import { RateLimitedAuthGuard } from './rate-limit/rate-limited-auth.guard';

export const PLATFORM_KEY = Symbol('PLATFORM_KEY');
export type PlatformKey = Awaited<ReturnType<typeof readPlatformKey>> & {
  publicKeyArmored: string;
};

const DB = getDataSourceToken();

/** Wires the framework-free use cases into Nest's container, in one place. */
export function apiProviders(config: AppConfig): Provider[] {
  return [
    { provide: APP_CONFIG, useValue: config },
    {
      provide: PLATFORM_KEY,
      useFactory: async (): Promise<PlatformKey> => {
        const key = await readPlatformKey(config.platformOpenPgpKey);
        return { ...key, publicKeyArmored: key.key.toPublic().armor() };
      },
    },
    {
      provide: JobProducer,
      useFactory: () => new JobProducer(producerConnection(config.redisUrl), config.queuePrefix),
    },
    { provide: Outbox, useFactory: (p: JobProducer) => new Outbox(p), inject: [JobProducer] },
    {
      // Its own fail-fast connection: a Redis outage lets requests through (fails open).
      provide: RequestRateLimiter,
      useFactory: () =>
        new RequestRateLimiter<CallerKind>(
          producerConnection(config.redisUrl),
          config.queuePrefix,
          {
            limits: config.rateLimit.requests,
            windowMs: config.rateLimit.windowMs,
          },
        ),
    },
    {
      provide: MailboxDirectory,
      useFactory: () => new MailboxDirectory(config.nationalIds, config.masterKeys),
    },
    {
      provide: SubmitLetter,
      useFactory: (db: DataSource, dir: MailboxDirectory, key: PlatformKey, outbox: Outbox) =>
        new SubmitLetter(db, dir, key, config.openpgpLimits, outbox),
      inject: [DB, MailboxDirectory, PLATFORM_KEY, Outbox],
    },
    { provide: ReceiptLog, useFactory: (db: DataSource) => new ReceiptLog(db), inject: [DB] },
    {
      provide: LetterEvidence,
      useFactory: (db: DataSource, log: ReceiptLog) => new LetterEvidence(db, log),
      inject: [DB, ReceiptLog],
    },
    {
      provide: SenderLetters,
      useFactory: (db: DataSource, evidence: LetterEvidence) => new SenderLetters(db, evidence),
      inject: [DB, LetterEvidence],
    },
    {
      provide: WebhookRegistry,
      useFactory: (db: DataSource) =>
        new WebhookRegistry(
          db,
          config.masterKeys,
          config.webhooks.allowPrivateTargets,
          config.webhooks.maxPerAgency,
        ),
      inject: [DB],
    },
    {
      provide: RecipientLookup,
      useFactory: (db: DataSource, dir: MailboxDirectory) => new RecipientLookup(db, dir),
      inject: [DB, MailboxDirectory],
    },
    {
      provide: CitizenMailbox,
      useFactory: (db: DataSource, dir: MailboxDirectory) => new CitizenMailbox(db, dir),
      inject: [DB, MailboxDirectory],
    },
    {
      provide: ApiKeyAuthenticator,
      useFactory: (db: DataSource) => new ApiKeyAuthenticator(db),
      inject: [DB],
    },
    {
      provide: OidcVerifier,
      useFactory: () =>
        new OidcVerifier(config.oidc, { allowSynthetic: config.nationalIds.allowSynthetic }),
    },
    {
      provide: AuthGuard,
      useFactory: (r: Reflector, k: ApiKeyAuthenticator, o: OidcVerifier) => new AuthGuard(r, k, o),
      inject: [Reflector, ApiKeyAuthenticator, OidcVerifier],
    },
    {
      provide: RateLimitedAuthGuard,
      useFactory: (r: Reflector, auth: AuthGuard, limiter: RequestRateLimiter<CallerKind>) =>
        new RateLimitedAuthGuard(r, auth, limiter, config.nationalIds.pepper),
      inject: [Reflector, AuthGuard, RequestRateLimiter],
    },
  ];
}
