import { isIP } from 'node:net';
import { z } from 'zod';
import { IDENTITY_COUNTRIES } from '#identity';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** Express's `trust proxy` list: its names, addresses and CIDR ranges, comma-separated. */
const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];
const isProxyEntry = (entry: string): boolean => {
  if (PROXY_NAMES.includes(entry)) return true;
  const [address, prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  return (
    prefix === undefined ||
    (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128))
  );
};
const proxyList = z
  .string()
  .transform((v) => v.split(',').map((e) => e.trim()))
  .refine((entries) => entries.every(isProxyEntry), {
    message: `expected ${PROXY_NAMES.join(', ')}, addresses or CIDR ranges, comma-separated`,
  });

/**
 * Every environment variable Postkasse reads. Defaults are for development on loopback;
 * production refuses to start without the secrets (see `loadConfig`). NODE_ENV has no default:
 * development turns on the development issuer, synthetic numbers and private webhook targets,
 * so a deployment that forgot to set it must not get them.
 */
export const environmentSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: int(0, 65535).default(3000),
  /**
   * Which proxies' X-Forwarded-For to believe: the client address is what the per-address
   * request limit counts, so a load balancer on another host must be named here.
   */
  TRUST_PROXY: proxyList.default(['loopback']),
  /**
   * The request body limit of every route but those that take letters (60 MB). The largest of
   * them is a citizen's key pair (two armored keys of up to 64 KB each, possibly escaped).
   */
  HTTP_BODY_LIMIT_BYTES: int(1024, 60 * 1024 * 1024).default(256 * 1024),
  /** Letters over 1 MB read at once; others wait up to LETTER_BODY_WAIT_MS, then 503. */
  LETTER_BODY_SLOTS: int(1, 64).default(1),
  LETTER_BODY_WAIT_MS: int(0, 600_000).default(30_000),
  DATABASE_URL: z
    .url({ protocol: /^postgres(ql)?$/ })
    .default('postgresql://postkasse:postkasse@127.0.0.1:5432/postkasse'),
  DATABASE_POOL_SIZE: int(1, 200).default(10),
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).default('redis://127.0.0.1:6379'),
  QUEUE_PREFIX: z
    .string()
    .regex(/^[a-z0-9_-]+$/i)
    .default('postkasse'),
  SMTP_URL: z.url({ protocol: /^smtps?$/ }).default('smtp://127.0.0.1:1025'),
  MAIL_FROM: z.string().min(3).default('Postkasse <no-reply@postkasse.localhost>'),
  PUBLIC_WEB_URL: z.url().default('http://127.0.0.1:3000/'),
  /** Where links in emails reach the API (email confirmation); defaults to PUBLIC_WEB_URL's origin. */
  PUBLIC_API_URL: z.url().optional(),
  SMTP_POOL_SIZE: int(1, 100).default(5),
  /** Attempts per notification email; with NOTIFY_BACKOFF_MS doubling, 12 × 60 s spans about 34 h. */
  NOTIFY_ATTEMPTS: int(1, 100).default(12),
  NOTIFY_BACKOFF_MS: int(10, 86_400_000).default(60_000),
  /** The longest gap between two attempts (0: no cap); raise NOTIFY_ATTEMPTS to keep 24 h. */
  NOTIFY_BACKOFF_MAX_MS: int(0, 86_400_000).default(0),
  /** Local time window without notifications, e.g. "22:00-07:00"; off when unset. */
  QUIET_HOURS: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM-HH:MM')
    .optional(),
  DKIM_DOMAIN: z.string().min(1).optional(),
  DKIM_SELECTOR: z.string().min(1).optional(),
  DKIM_PRIVATE_KEY: z.string().min(1).optional(),
  EMAIL_CONFIRMATION_TTL_HOURS: int(1, 24 * 30).default(48),
  /**
   * A PDF view ticket opens one document without a bearer token (the browser's PDF viewer cannot
   * send one), so it is good only long enough for the viewer to load it.
   */
  DOCUMENT_VIEW_TICKET_TTL_SECONDS: int(1, 600).default(60),
  /**
   * Confirmation mails go to an address nobody has confirmed yet, signed with the platform's
   * domain: without limits a citizen could mail-bomb a third party. Per mailbox and hour, and per
   * target address (whichever mailboxes ask) and day; 0 turns a limit off.
   */
  EMAIL_CONFIRMATIONS_PER_MAILBOX_HOUR: int(0, 1000).default(5),
  EMAIL_CONFIRMATIONS_PER_ADDRESS_DAY: int(0, 1000).default(3),
  /** Test-only: the length of a "day" for reminderAfterDays; never set it in production. */
  REMINDER_DAY_MS: int(1, 86_400_000).default(86_400_000),
  OIDC_ISSUER: z.url().optional(),
  OIDC_AUDIENCE: z.string().min(1).default('postkasse'),
  OIDC_NATIONAL_ID_CLAIM: z.string().min(1).default('national_id'),
  OIDC_ROLES_CLAIM: z.string().min(1).default('roles'),
  /**
   * The claim that lists the organisations a person administers, as ID-porten and Altinn tokens
   * carry it: organisation numbers, or objects with a number and roles (README).
   */
  OIDC_ORGANISATION_ROLES_CLAIM: z.string().min(1).default('organisation_roles'),
  OIDC_ALGORITHMS: z.string().default('RS256,PS256,ES256,EdDSA'),
  DEV_OIDC_ISSUER: bool.optional(),
  ALLOW_SYNTHETIC_NATIONAL_IDS: bool.optional(),
  /** Whose national identity and organisation numbers the deployment takes (one country). */
  IDENTITY_COUNTRY: z.enum(IDENTITY_COUNTRIES).default('NO'),
  SECRETS_FILE: z.string().default('.secrets/development.json'),
  MASTER_KEYS: z.string().optional(),
  NATIONAL_ID_PEPPER: z.string().optional(),
  RECIPIENT_REF_KEY: z.string().optional(),
  PLATFORM_OPENPGP_KEY: z.string().optional(),
  RECEIPT_SIGNING_KEY: z.string().optional(),
  PRINT_SPOOL_DIR: z.string().default('var/print-spool'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  WORKER_CONCURRENCY: int(1, 1000).default(8),
  /**
   * Jobs of the bulk queue (letters sent in batches) a worker holds at once, beside its
   * `WORKER_CONCURRENCY` single letters: a campaign moves on without starving them.
   */
  WORKER_BULK_CONCURRENCY: int(1, 1000).default(2),
  OPENPGP_THREADS: int(0, 64).default(0),
  /**
   * The worker's scheduling niceness (0 to 19): where it shares cores with the API, decrypting a
   * backlog must not stand in the way of a citizen's or an agency's request.
   */
  WORKER_NICENESS: int(0, 19).default(10),
  /** Counted from the moment an OpenPGP thread starts on the document, never the wait for one. */
  DOCUMENT_TIMEOUT_MS: int(100, 600_000).default(30_000),
  /**
   * Documents waiting per OpenPGP thread beyond which the worker takes no more deliver jobs
   * from Redis (backpressure): what it has then starts within a few documents' time.
   */
  OPENPGP_BACKLOG_PER_THREAD: int(1, 1_000).default(4),
  /** The worker's own /metrics listener on HOST (it has no other HTTP port); 0 turns it off. */
  WORKER_METRICS_PORT: int(0, 65535).default(9464),
  RELAY_INTERVAL_MS: int(50, 600_000).default(2_000),
  /** How often the receipt sequencer looks for staged receipts when it found none. */
  SEQUENCER_INTERVAL_MS: int(10, 60_000).default(200),
  RECONCILE_INTERVAL_MS: int(1_000, 3_600_000).default(30_000),
  /**
   * How long a letter may sit in `accepted` (or forwarded but not spooled), or a webhook delivery
   * stay pending, without a live job before the reconciler re-creates it.
   */
  RECONCILE_STALE_MS: int(1_000, 86_400_000).default(60_000),
  TREE_HEAD_INTERVAL_MS: int(100, 3_600_000).default(60_000),
  WEBHOOK_ATTEMPTS: int(1, 100).default(15),
  WEBHOOK_BACKOFF_MS: int(10, 3_600_000).default(5_000),
  WEBHOOK_TIMEOUT_MS: int(100, 120_000).default(10_000),
  /** Let webhooks reach loopback and private addresses over http; on outside production. */
  WEBHOOK_ALLOW_PRIVATE_TARGETS: bool.optional(),
  /** Active webhook endpoints an agency may have; every receipt fans out to each of them. */
  WEBHOOKS_PER_AGENCY: int(1, 1000).default(10),
  /**
   * Requests per window across all API processes, per agency (all its keys together), citizen,
   * auditor, and client address for unauthenticated requests; 0 turns that limit off. 6,000 a
   * minute (100/s) lets one agency send several million letters a day, and is what keeps one
   * agency's bulk run from starving the others.
   */
  RATE_LIMIT_AGENCY_REQUESTS: int(0, 100_000_000).default(6_000),
  RATE_LIMIT_CITIZEN_REQUESTS: int(0, 100_000_000).default(300),
  RATE_LIMIT_AUDITOR_REQUESTS: int(0, 100_000_000).default(600),
  RATE_LIMIT_ANONYMOUS_REQUESTS: int(0, 100_000_000).default(60),
  RATE_LIMIT_WINDOW_MS: int(100, 3_600_000).default(60_000),
  TRASH_RETENTION_DAYS: int(1, 3650).default(30),
  IDEMPOTENCY_RETENTION_HOURS: int(24, 24 * 365).default(48),
});

export type Environment = z.infer<typeof environmentSchema>;
