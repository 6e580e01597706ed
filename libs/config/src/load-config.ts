import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { JWK } from 'jose';
import { DEFAULT_OPENPGP_LIMITS, parseMasterKeys } from '#crypto';
import type { AppConfig } from './app-config';
import { loadOrCreateDevelopmentSecrets, type DevelopmentSecrets } from './development-secrets';
import { environmentSchema, type Environment } from './schema';

export class ConfigError extends Error {}

function decodeKey(name: string, value: string): Buffer {
  const key = Buffer.from(value, 'base64');
  if (key.length < 32) throw new ConfigError(`${name} must be at least 32 bytes of base64`);
  return key;
}

function parseEnvironment(source: NodeJS.ProcessEnv): Environment {
  if (!source.NODE_ENV) {
    throw new ConfigError(
      'NODE_ENV is not set: set NODE_ENV=production for a deployment, or NODE_ENV=development ' +
        '(or test) for a local stack with generated secrets, the development issuer and ' +
        'synthetic national ids',
    );
  }
  const parsed = environmentSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

const SECRET_VARIABLES = [
  'MASTER_KEYS',
  'NATIONAL_ID_PEPPER',
  'RECIPIENT_REF_KEY',
  'PLATFORM_OPENPGP_KEY',
  'RECEIPT_SIGNING_KEY',
] as const;

async function secretsFor(env: Environment): Promise<DevelopmentSecrets | null> {
  if (env.NODE_ENV === 'production') {
    const missing = SECRET_VARIABLES.filter((name) => !env[name]);
    if (missing.length > 0) {
      throw new ConfigError(`Production needs these secrets set: ${missing.join(', ')}`);
    }
    return null;
  }
  return loadOrCreateDevelopmentSecrets(resolve(env.SECRETS_FILE));
}

/** `.env` fills in what the environment leaves unset (the environment wins). */
function readDotEnv(source: NodeJS.ProcessEnv): void {
  if (source === process.env && existsSync('.env')) process.loadEnvFile('.env');
}

/**
 * The address this API is reached at on this machine, from HOST and PORT: a wildcard bind is
 * reached on loopback. The development issuer and the CLI derive their URLs from it.
 */
export function localApiUrl(http: { host: string; port: number }): string {
  const host = http.host === '0.0.0.0' || http.host === '::' ? '127.0.0.1' : http.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${http.port}`;
}

/**
 * HOST and PORT as the API reads them (`.env` and the environment), without the rest of the
 * configuration: what the CLI needs to find a local API when nothing more precise is known.
 */
export function readListenAddress(source: NodeJS.ProcessEnv = process.env): {
  host: string;
  port: number;
} {
  readDotEnv(source);
  const parsed = environmentSchema.pick({ HOST: true, PORT: true }).safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration: ${lines.join('; ')}`);
  }
  return { host: parsed.data.HOST, port: parsed.data.PORT };
}

/**
 * Reads `.env` (when present) and the environment once, validates everything and returns a
 * typed configuration. Development and test generate their own secrets on first run.
 */
export async function loadConfig(source: NodeJS.ProcessEnv = process.env): Promise<AppConfig> {
  readDotEnv(source);
  const env = parseEnvironment(source);
  const dev = await secretsFor(env);
  const production = env.NODE_ENV === 'production';
  const devIssuerEnabled = env.DEV_OIDC_ISSUER ?? !production;
  if (production && devIssuerEnabled) {
    throw new ConfigError('DEV_OIDC_ISSUER must not be enabled in production');
  }
  const selfUrl = localApiUrl({ host: env.HOST, port: env.PORT });
  const issuer = env.OIDC_ISSUER ?? (devIssuerEnabled ? `${selfUrl}/dev-oidc` : undefined);
  if (!issuer) throw new ConfigError('OIDC_ISSUER is required when the development issuer is off');
  // Tokens are only as good as the keys they are checked with: in production the issuer, and so
  // its discovery document and key set (checked again in OidcVerifier), come over HTTPS only.
  if (production && new URL(issuer).protocol !== 'https:') {
    throw new ConfigError(`OIDC_ISSUER must use https in production (got ${issuer})`);
  }

  const receipt = env.RECEIPT_SIGNING_KEY
    ? parseReceiptKey(env.RECEIPT_SIGNING_KEY)
    : dev!.receiptSigningKey;

  return {
    env: env.NODE_ENV,
    http: {
      host: env.HOST,
      port: env.PORT,
      trustProxy: env.TRUST_PROXY,
      bodyLimitBytes: env.HTTP_BODY_LIMIT_BYTES,
      letterBodySlots: env.LETTER_BODY_SLOTS,
      letterBodyWaitMs: env.LETTER_BODY_WAIT_MS,
    },
    databaseUrl: env.DATABASE_URL,
    databasePoolSize: env.DATABASE_POOL_SIZE,
    redisUrl: env.REDIS_URL,
    queuePrefix: env.QUEUE_PREFIX,
    mail: { smtpUrl: env.SMTP_URL, from: env.MAIL_FROM, publicWebUrl: env.PUBLIC_WEB_URL },
    notifications: notificationSettings(env),
    oidc: {
      issuer: issuer.replace(/\/$/, ''),
      audience: env.OIDC_AUDIENCE,
      nationalIdClaim: env.OIDC_NATIONAL_ID_CLAIM,
      rolesClaim: env.OIDC_ROLES_CLAIM,
      organisationRolesClaim: env.OIDC_ORGANISATION_ROLES_CLAIM,
      algorithms: env.OIDC_ALGORITHMS.split(',').map((a) => a.trim()),
      requireHttps: production,
      devIssuer:
        devIssuerEnabled && dev
          ? { enabled: true, privateJwk: dev.devOidcKey.privateJwk, kid: dev.devOidcKey.kid }
          : null,
    },
    nationalIds: {
      country: env.IDENTITY_COUNTRY,
      allowSynthetic: env.ALLOW_SYNTHETIC_NATIONAL_IDS ?? !production,
      pepper: decodeKey('NATIONAL_ID_PEPPER', env.NATIONAL_ID_PEPPER ?? dev!.nationalIdPepper),
      recipientRefKey: decodeKey(
        'RECIPIENT_REF_KEY',
        env.RECIPIENT_REF_KEY ?? dev!.recipientRefKey,
      ),
    },
    masterKeys: parseMasterKeys(env.MASTER_KEYS ?? dev!.masterKeys),
    platformOpenPgpKey: env.PLATFORM_OPENPGP_KEY ?? dev!.platformOpenPgpKey,
    receiptSigningKey: receipt,
    openpgpLimits: DEFAULT_OPENPGP_LIMITS,
    printSpoolDir: resolve(env.PRINT_SPOOL_DIR),
    logLevel: env.LOG_LEVEL,
    worker: {
      concurrency: env.WORKER_CONCURRENCY,
      bulkConcurrency: env.WORKER_BULK_CONCURRENCY,
      openpgpThreads: env.OPENPGP_THREADS,
      niceness: env.WORKER_NICENESS,
      documentTimeoutMs: env.DOCUMENT_TIMEOUT_MS,
      backlogPerThread: env.OPENPGP_BACKLOG_PER_THREAD,
      metricsPort: env.WORKER_METRICS_PORT,
      relayIntervalMs: env.RELAY_INTERVAL_MS,
      sequencerIntervalMs: env.SEQUENCER_INTERVAL_MS,
      reconcileIntervalMs: env.RECONCILE_INTERVAL_MS,
      reconcileStaleMs: env.RECONCILE_STALE_MS,
    },
    rateLimit: {
      windowMs: env.RATE_LIMIT_WINDOW_MS,
      requests: {
        agency: env.RATE_LIMIT_AGENCY_REQUESTS,
        citizen: env.RATE_LIMIT_CITIZEN_REQUESTS,
        auditor: env.RATE_LIMIT_AUDITOR_REQUESTS,
        anonymous: env.RATE_LIMIT_ANONYMOUS_REQUESTS,
      },
    },
    documentViewTicketTtlSeconds: env.DOCUMENT_VIEW_TICKET_TTL_SECONDS,
    retention: {
      trashDays: env.TRASH_RETENTION_DAYS,
      idempotencyHours: env.IDEMPOTENCY_RETENTION_HOURS,
    },
    evidence: { treeHeadIntervalMs: env.TREE_HEAD_INTERVAL_MS },
    // Outside production a webhook may point anywhere (a local receiver); in production only
    // HTTPS to public addresses unless the operator says otherwise.
    webhooks: {
      attempts: env.WEBHOOK_ATTEMPTS,
      backoffMs: env.WEBHOOK_BACKOFF_MS,
      timeoutMs: env.WEBHOOK_TIMEOUT_MS,
      maxPerAgency: env.WEBHOOKS_PER_AGENCY,
      allowPrivateTargets: env.WEBHOOK_ALLOW_PRIVATE_TARGETS ?? !production,
    },
  };
}

function notificationSettings(env: Environment): AppConfig['notifications'] {
  const dkimParts = [env.DKIM_DOMAIN, env.DKIM_SELECTOR, env.DKIM_PRIVATE_KEY];
  if (dkimParts.some(Boolean) && !dkimParts.every(Boolean)) {
    throw new ConfigError('DKIM needs DKIM_DOMAIN, DKIM_SELECTOR and DKIM_PRIVATE_KEY together');
  }
  if (env.NODE_ENV === 'production' && env.REMINDER_DAY_MS !== 86_400_000) {
    throw new ConfigError('REMINDER_DAY_MS is for tests only');
  }
  return {
    publicApiUrl: (env.PUBLIC_API_URL ?? new URL(env.PUBLIC_WEB_URL).origin).replace(/\/$/, ''),
    smtpPoolSize: env.SMTP_POOL_SIZE,
    attempts: env.NOTIFY_ATTEMPTS,
    backoffMs: env.NOTIFY_BACKOFF_MS,
    backoffMaxMs: env.NOTIFY_BACKOFF_MAX_MS,
    quietHours: env.QUIET_HOURS ?? null,
    dkim: env.DKIM_DOMAIN
      ? {
          domainName: env.DKIM_DOMAIN,
          keySelector: env.DKIM_SELECTOR!,
          privateKey: env.DKIM_PRIVATE_KEY!.replace(/\\n/g, '\n'),
        }
      : null,
    confirmationTtlHours: env.EMAIL_CONFIRMATION_TTL_HOURS,
    confirmationLimits: {
      perMailboxHour: env.EMAIL_CONFIRMATIONS_PER_MAILBOX_HOUR,
      perAddressDay: env.EMAIL_CONFIRMATIONS_PER_ADDRESS_DAY,
    },
    reminderDayMs: env.REMINDER_DAY_MS,
  };
}

function parseReceiptKey(json: string): AppConfig['receiptSigningKey'] {
  let parsed: { privateJwk?: JWK; publicJwk?: JWK; kid?: string };
  try {
    parsed = JSON.parse(json) as typeof parsed;
  } catch {
    throw new ConfigError('RECEIPT_SIGNING_KEY must be JSON {"privateJwk", "publicJwk", "kid"}');
  }
  if (!parsed.privateJwk || !parsed.publicJwk || !parsed.kid) {
    throw new ConfigError('RECEIPT_SIGNING_KEY must be JSON {"privateJwk", "publicJwk", "kid"}');
  }
  return { privateJwk: parsed.privateJwk, publicJwk: parsed.publicJwk, kid: parsed.kid };
}
