import type { JWK } from 'jose';
import type { MasterKeyring, OpenPgpLimits } from '#crypto';
import type { IdentityCountry } from '#identity';

/** The validated, typed configuration every process reads once at start-up. */
export interface AppConfig {
  env: 'development' | 'test' | 'production';
  http: {
    host: string;
    port: number;
    trustProxy: string[];
    bodyLimitBytes: number;
    letterBodySlots: number;
    letterBodyWaitMs: number;
  };
  databaseUrl: string;
  databasePoolSize: number;
  redisUrl: string;
  queuePrefix: string;
  mail: { smtpUrl: string; from: string; publicWebUrl: string };
  notifications: {
    publicApiUrl: string;
    smtpPoolSize: number;
    attempts: number;
    backoffMs: number;
    backoffMaxMs: number;
    quietHours: string | null;
    dkim: { domainName: string; keySelector: string; privateKey: string } | null;
    confirmationTtlHours: number;
    /** Confirmation mails per mailbox and hour, and per target address and day (0: no limit). */
    confirmationLimits: { perMailboxHour: number; perAddressDay: number };
    reminderDayMs: number;
  };
  oidc: {
    issuer: string;
    audience: string;
    nationalIdClaim: string;
    rolesClaim: string;
    organisationRolesClaim: string;
    algorithms: string[];
    /** Refuse an http discovery document or key set (production). */
    requireHttps: boolean;
    devIssuer: { enabled: boolean; privateJwk: JWK; kid: string } | null;
  };
  nationalIds: {
    /** The country whose person and organisation number schemes are in force. */
    country: IdentityCountry;
    allowSynthetic: boolean;
    pepper: Buffer;
    recipientRefKey: Buffer;
  };
  masterKeys: MasterKeyring;
  platformOpenPgpKey: string;
  receiptSigningKey: { privateJwk: JWK; publicJwk: JWK; kid: string };
  openpgpLimits: OpenPgpLimits;
  printSpoolDir: string;
  logLevel: string;
  worker: {
    concurrency: number;
    /** Jobs of the bulk deliver queue held at once, beside `concurrency`. */
    bulkConcurrency: number;
    openpgpThreads: number;
    /** Scheduling niceness of the worker process (0 to 19). */
    niceness: number;
    /** The limit of one document's run on an OpenPGP thread; queueing is not counted. */
    documentTimeoutMs: number;
    /** Waiting documents per thread beyond which no more deliver jobs are taken in. */
    backlogPerThread: number;
    /** The port of the worker's /metrics listener on `http.host`; 0: none. */
    metricsPort: number;
    relayIntervalMs: number;
    sequencerIntervalMs: number;
    reconcileIntervalMs: number;
    reconcileStaleMs: number;
  };
  rateLimit: {
    windowMs: number;
    /** Requests per window for one caller of each kind (0: no limit). */
    requests: { agency: number; citizen: number; auditor: number; anonymous: number };
  };
  /** How long a PDF view ticket (`POST …/documents/{documentId}/view-ticket`) can be used. */
  documentViewTicketTtlSeconds: number;
  retention: { trashDays: number; idempotencyHours: number };
  evidence: { treeHeadIntervalMs: number };
  webhooks: {
    attempts: number;
    backoffMs: number;
    timeoutMs: number;
    maxPerAgency: number;
    allowPrivateTargets: boolean;
  };
}
