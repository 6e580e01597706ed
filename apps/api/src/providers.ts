import type { Provider, Type } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { ApiKeyAuthenticator, AuthGuard, OidcVerifier } from '#auth';
import { Postkasse, type PlatformKey } from '#composition';
import { APP_CONFIG, type AppConfig } from '#config';
import {
  AccessAudit,
  AccessLogEvidence,
  AccessNotices,
  AgencyDirectory,
  AgencyReplies,
  CitizenMailbox,
  DocumentViewTickets,
  LetterEvidence,
  MailboxDirectory,
  MailboxGrants,
  MailboxExport,
  MailboxKeys,
  MailboxReplies,
  ReceiptLog,
  RecipientLookup,
  SendReply,
  SenderLetters,
  SubmitLetter,
  SubmitLetterBatch,
  WebhookRegistry,
} from '#letters';
import { RequestRateLimiter } from '#http';
import { ApiMetrics } from '#metrics';
import { JobProducer, Outbox, producerConnection, type RedisClient } from '#queue';
import type { CallerKind } from './rate-limit/callers';
import { RateLimitedAuthGuard } from './rate-limit/rate-limited-auth.guard';
import { ReplyBudget } from './rate-limit/reply-budget';

export const PLATFORM_KEY = Symbol('PLATFORM_KEY');
/** The name of the replica's DataSource, registered only when DATABASE_REPLICA_URL is set. */
export const REPLICA = 'replica';
/**
 * The API's own fail-fast Redis connection for per-request work (the request limits, document
 * view tickets), apart from the queue producer's: a slow queue never holds up a request.
 */
const REQUEST_REDIS = Symbol('REQUEST_REDIS');
export type { PlatformKey };

/** A use case the composition root builds, offered to Nest's container under its class. */
function fromRoot<T>(token: Type<T>, pick: (root: Postkasse) => T | Promise<T>): Provider {
  return { provide: token, useFactory: pick, inject: [Postkasse] };
}

/**
 * The API's providers: what the composition root builds, wrapped for Nest, plus the guards,
 * which are the API's own.
 */
export function apiProviders(config: AppConfig): Provider[] {
  return [
    { provide: APP_CONFIG, useValue: config },
    // One registry for the process: the request timer in main.ts and /metrics share it.
    { provide: ApiMetrics, useValue: new ApiMetrics() },
    {
      provide: JobProducer,
      useFactory: () =>
        new JobProducer(
          producerConnection(config.redisUrl, config.redisClusterNodes),
          config.queuePrefix,
        ),
    },
    {
      provide: Postkasse,
      useFactory: (
        db: DataSource,
        producer: JobProducer,
        metrics: ApiMetrics,
        replica: DataSource | undefined,
      ) =>
        new Postkasse(config, {
          db,
          producer,
          replica,
          entered: (state) => metrics.lettersEntered.inc({ state }),
        }),
      inject: [
        getDataSourceToken(),
        JobProducer,
        ApiMetrics,
        { token: getDataSourceToken(REPLICA), optional: true },
      ],
    },
    { provide: PLATFORM_KEY, useFactory: (p: Postkasse) => p.platformKey(), inject: [Postkasse] },
    fromRoot(Outbox, (p) => p.outbox),
    fromRoot(MailboxDirectory, (p) => p.mailboxes),
    fromRoot(SubmitLetter, (p) => p.submitLetter()),
    fromRoot(SubmitLetterBatch, (p) => p.submitLetterBatch()),
    fromRoot(ReceiptLog, (p) => p.receiptLog),
    fromRoot(LetterEvidence, (p) => p.letterEvidence),
    fromRoot(SenderLetters, (p) => p.senderLetters),
    fromRoot(WebhookRegistry, (p) => p.webhookRegistry),
    fromRoot(RecipientLookup, (p) => p.recipientLookup),
    fromRoot(CitizenMailbox, (p) => p.citizenMailbox),
    fromRoot(AccessNotices, (p) => p.accessNotices),
    fromRoot(AccessLogEvidence, (p) => p.accessLogEvidence),
    fromRoot(AccessAudit, (p) => p.accessAudit),
    fromRoot(MailboxKeys, (p) => p.mailboxKeys),
    fromRoot(SendReply, (p) => p.sendReply),
    fromRoot(MailboxReplies, (p) => p.mailboxReplies),
    fromRoot(AgencyReplies, (p) => p.agencyReplies),
    fromRoot(AgencyDirectory, (p) => p.agencyDirectory),
    fromRoot(MailboxGrants, (p) => p.mailboxGrants),
    fromRoot(MailboxExport, (p) => p.mailboxExport),
    fromRoot(ApiKeyAuthenticator, (p) => p.apiKeys),
    fromRoot(OidcVerifier, (p) => p.oidcVerifier),
    {
      provide: REQUEST_REDIS,
      useFactory: () => producerConnection(config.redisUrl, config.redisClusterNodes),
    },
    {
      // A Redis outage lets requests through (fails open).
      provide: RequestRateLimiter,
      useFactory: (redis: RedisClient) =>
        new RequestRateLimiter<CallerKind>(redis, config.queuePrefix, {
          limits: config.rateLimit.requests,
          windowMs: config.rateLimit.windowMs,
        }),
      inject: [REQUEST_REDIS],
    },
    {
      provide: ReplyBudget,
      useFactory: (redis: RedisClient) =>
        new ReplyBudget(
          new RequestRateLimiter<'reply'>(redis, `${config.queuePrefix}:replies`, {
            limits: { reply: config.rateLimit.replies.limit },
            windowMs: config.rateLimit.replies.windowMs,
          }),
          config.nationalIds.pepper,
        ),
      inject: [REQUEST_REDIS],
    },
    {
      provide: DocumentViewTickets,
      useFactory: (p: Postkasse, redis: RedisClient) => p.documentViewTickets(redis),
      inject: [Postkasse, REQUEST_REDIS],
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
