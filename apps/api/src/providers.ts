import type { Provider, Type } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { ApiKeyAuthenticator, AuthGuard, OidcVerifier } from '#auth';
import { Postkasse, type PlatformKey } from '#composition';
import { APP_CONFIG, type AppConfig } from '#config';
import {
  CitizenMailbox,
  DocumentViewTickets,
  LetterEvidence,
  MailboxDirectory,
  MailboxGrants,
  MailboxKeys,
  ReceiptLog,
  RecipientLookup,
  SenderLetters,
  SubmitLetter,
  SubmitLetterBatch,
  WebhookRegistry,
} from '#letters';
import { RequestRateLimiter } from '#http';
import { ApiMetrics } from '#metrics';
import { JobProducer, Outbox, producerConnection } from '#queue';
import type { CallerKind } from './rate-limit/callers';
import { RateLimitedAuthGuard } from './rate-limit/rate-limited-auth.guard';

export const PLATFORM_KEY = Symbol('PLATFORM_KEY');
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
      useFactory: () => new JobProducer(producerConnection(config.redisUrl), config.queuePrefix),
    },
    {
      provide: Postkasse,
      useFactory: (db: DataSource, producer: JobProducer) =>
        new Postkasse(config, { db, producer }),
      inject: [getDataSourceToken(), JobProducer],
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
    fromRoot(MailboxKeys, (p) => p.mailboxKeys),
    fromRoot(MailboxGrants, (p) => p.mailboxGrants),
    fromRoot(ApiKeyAuthenticator, (p) => p.apiKeys),
    fromRoot(OidcVerifier, (p) => p.oidcVerifier),
    { provide: REQUEST_REDIS, useFactory: () => producerConnection(config.redisUrl) },
    {
      // A Redis outage lets requests through (fails open).
      provide: RequestRateLimiter,
      useFactory: (redis: Redis) =>
        new RequestRateLimiter<CallerKind>(redis, config.queuePrefix, {
          limits: config.rateLimit.requests,
          windowMs: config.rateLimit.windowMs,
        }),
      inject: [REQUEST_REDIS],
    },
    {
      provide: DocumentViewTickets,
      useFactory: (p: Postkasse, redis: Redis) => p.documentViewTickets(redis),
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
