import type { DataSource } from 'typeorm';
import { ApiKeyAuthenticator, OidcVerifier } from '#auth';
import { clockOf, type AppConfig, type Clock } from '#config';
import { readPlatformKey } from '#crypto';
import {
  AccessAudit,
  AccessLogEvidence,
  AccessNotices,
  AccessRegistrations,
  AgencyDirectory,
  AgencyReplies,
  CitizenMailbox,
  DeliverLetter,
  DeliverLetterBatch,
  DeliverWebhook,
  DocumentViewTickets,
  EraseMailbox,
  LetterEvidence,
  MailboxDirectory,
  MailboxGrants,
  MailboxExport,
  MailboxKeys,
  MailboxReplies,
  PrintLetter,
  type LetterUseCaseOptions,
  ReceiptLog,
  ReceiptSequencer,
  RecipientLookup,
  SendReply,
  SenderLetters,
  SubmitLetter,
  SubmitLetterBatch,
  WebhookRegistry,
  WithholdingRules,
  type DeliverySettings,
  type DocumentOpener,
  type SplitReason,
  type TicketRedis,
} from '#letters';
import {
  AccessLogNotifications,
  EmailConfirmations,
  LetterNotifications,
  NotificationReconciler,
  parseQuietHours,
  type MailSender,
} from '#notifications';
import { PipelineProbe } from '#metrics';
import { Outbox, type JobProducer } from '#queue';
import { AgenciesStore, OutboxStore, ReceiptsStore, Sql } from '#stores';

export type PlatformKey = Awaited<ReturnType<typeof readPlatformKey>> & {
  publicKeyArmored: string;
};

type FailureLogger = ConstructorParameters<typeof LetterNotifications>[3];

/** What a process owns and hands in: its connections, opened and closed by the process. */
export interface Resources {
  db: DataSource;
  /** Absent in processes that queue nothing (the CLI). */
  producer?: JobProducer;
  /** A streaming replica (`DATABASE_REPLICA_URL`) for the lag-tolerant reads; absent: `db`. */
  replica?: DataSource;
  /** Counts the states letters enter through the use cases built here (the process's metrics). */
  entered?: LetterUseCaseOptions['entered'];
}

/**
 * The one composition root: every store-backed use case is built here from the configuration,
 * once per process and only when first asked for. The API wraps what it serves as Nest
 * providers; the worker, the CLI, the benchmarks and the tests call the same getters, so a
 * constructor's arguments are decided in one place.
 */
export class Postkasse {
  private readonly made = new Map<string, unknown>();

  constructor(
    readonly config: AppConfig,
    private readonly resources: Resources,
  ) {}

  get db(): DataSource {
    return this.resources.db;
  }

  get producer(): JobProducer {
    const { producer } = this.resources;
    if (!producer) throw new Error('this process was composed without a queue connection');
    return producer;
  }

  get sql(): Sql {
    return this.once('sql', () => new Sql(this.db));
  }

  /**
   * Where the citizen's and the sender's lag-tolerant reads go (a replica when the process has
   * one), and who counts the states their changes enter. Everything else uses the primary.
   */
  private get letterOptions(): LetterUseCaseOptions {
    const { replica, entered } = this.resources;
    return this.once('letterOptions', () => ({
      reads: replica ? new Sql(replica) : undefined,
      entered,
    }));
  }

  /** The operators' store: agencies, their keys, and the audit log of what operators changed. */
  get agencies(): AgenciesStore {
    return this.once('agencies', () => new AgenciesStore(this.sql));
  }

  private once<T>(name: string, make: () => T): T {
    if (!this.made.has(name)) this.made.set(name, make());
    return this.made.get(name) as T;
  }

  get outbox(): Outbox {
    return this.once('outbox', () => new Outbox(this.producer));
  }

  get mailboxes(): MailboxDirectory {
    return this.once(
      'mailboxes',
      () => new MailboxDirectory(this.config.nationalIds, this.config.masterKeys),
    );
  }

  /** The platform's OpenPGP key, read once (an async parse of the armored key). */
  platformKey(): Promise<PlatformKey> {
    return this.once('platformKey', async () => {
      const key = await readPlatformKey(this.config.platformOpenPgpKey);
      return { ...key, publicKeyArmored: key.key.toPublic().armor() };
    });
  }

  async submitLetter(): Promise<SubmitLetter> {
    const key = await this.platformKey();
    return this.once(
      'submitLetter',
      () => new SubmitLetter(this.db, this.mailboxes, key, this.config.openpgpLimits, this.outbox),
    );
  }

  async submitLetterBatch(): Promise<SubmitLetterBatch> {
    const submit = await this.submitLetter();
    return this.once(
      'submitLetterBatch',
      () => new SubmitLetterBatch(this.db, submit, this.outbox),
    );
  }

  /**
   * The worker's delivery, with the OpenPGP thread pool it runs documents on. A new one for each
   * opener (tests race deliveries with openers of their own); the worker asks once.
   */
  deliverLetter(opener: DocumentOpener): DeliverLetter {
    return new DeliverLetter(this.db, this.mailboxes, opener, this.outbox, this.deliverySettings);
  }

  /** Several letters at once, on the same opener; what fails in the batch goes to `single`. */
  deliverLetterBatch(
    opener: DocumentOpener,
    single: DeliverLetter,
    onSplit?: (letterId: string, why: SplitReason) => void,
  ): DeliverLetterBatch {
    return new DeliverLetterBatch(
      this.db,
      this.mailboxes,
      opener,
      single,
      this.outbox,
      this.deliverySettings,
      onSplit,
    );
  }

  private get deliverySettings(): DeliverySettings {
    return { dayMs: this.config.notifications.reminderDayMs };
  }

  get printLetter(): PrintLetter {
    return this.once(
      'printLetter',
      () => new PrintLetter(this.db, this.mailboxes, this.config.printSpoolDir),
    );
  }

  /** "Now" for withholding and access notifications: the system's, or a test's (TEST_CLOCK_FILE). */
  get clock(): Clock {
    return this.once('clock', () => clockOf(this.config));
  }

  get citizenMailbox(): CitizenMailbox {
    return this.once(
      'citizenMailbox',
      () => new CitizenMailbox(this.db, this.mailboxes, this.clock, this.letterOptions),
    );
  }

  get withholdingRules(): WithholdingRules {
    return this.once(
      'withholdingRules',
      () => new WithholdingRules(this.db, this.clock, this.config.access.withholdMaxDays),
    );
  }

  get accessNotices(): AccessNotices {
    return this.once(
      'accessNotices',
      () => new AccessNotices(this.db, this.mailboxes, this.withholdingRules),
    );
  }

  get accessLogEvidence(): AccessLogEvidence {
    return this.once(
      'accessLogEvidence',
      () =>
        new AccessLogEvidence(this.db, this.receiptLog, this.config.receiptSigningKey, this.clock),
    );
  }

  get accessAudit(): AccessAudit {
    return this.once('accessAudit', () => new AccessAudit(this.db, this.clock));
  }

  get mailboxGrants(): MailboxGrants {
    return this.once(
      'mailboxGrants',
      () => new MailboxGrants(this.db, this.mailboxes, this.citizenMailbox),
    );
  }

  /** The operators' registrations: organisations, guardians, executors. */
  get accessRegistrations(): AccessRegistrations {
    return this.once(
      'accessRegistrations',
      () => new AccessRegistrations(this.db, this.mailboxes, this.mailboxGrants),
    );
  }

  /** Over the API's request connection (fail-fast), which the process opens and closes. */
  documentViewTickets(redis: TicketRedis): DocumentViewTickets {
    return this.once(
      'documentViewTickets',
      () =>
        new DocumentViewTickets(redis, this.citizenMailbox, {
          prefix: this.config.queuePrefix,
          ttlSeconds: this.config.documentViewTicketTtlSeconds,
        }),
    );
  }

  get sendReply(): SendReply {
    return this.once('sendReply', () => new SendReply(this.db, this.config.openpgpLimits));
  }

  get mailboxReplies(): MailboxReplies {
    return this.once('mailboxReplies', () => new MailboxReplies(this.db, this.receiptLog));
  }

  get agencyReplies(): AgencyReplies {
    return this.once('agencyReplies', () => new AgencyReplies(this.db));
  }

  get agencyDirectory(): AgencyDirectory {
    return this.once('agencyDirectory', () => new AgencyDirectory(this.sql));
  }

  get mailboxKeys(): MailboxKeys {
    return this.once('mailboxKeys', () => new MailboxKeys(this.db));
  }

  get recipientLookup(): RecipientLookup {
    return this.once(
      'recipientLookup',
      () => new RecipientLookup(this.db, this.mailboxes, this.withholdingRules),
    );
  }

  get receiptLog(): ReceiptLog {
    return this.once('receiptLog', () => new ReceiptLog(this.db));
  }

  /** The operator's erasure of a mailbox (crypto-shredding). */
  get eraseMailbox(): EraseMailbox {
    return this.once('eraseMailbox', () => new EraseMailbox(this.db, this.mailboxes));
  }

  get mailboxExport(): MailboxExport {
    return this.once(
      'mailboxExport',
      () =>
        new MailboxExport(
          this.db,
          this.mailboxes,
          this.receiptLog,
          this.config.receiptSigningKey,
          this.clock,
          this.accessLogEvidence,
        ),
    );
  }

  get letterEvidence(): LetterEvidence {
    return this.once('letterEvidence', () => new LetterEvidence(this.db, this.receiptLog));
  }

  get senderLetters(): SenderLetters {
    return this.once(
      'senderLetters',
      () => new SenderLetters(this.db, this.letterEvidence, this.letterOptions),
    );
  }

  get receiptSequencer(): ReceiptSequencer {
    return this.once(
      'receiptSequencer',
      () =>
        new ReceiptSequencer(this.db, this.config.receiptSigningKey, this.outbox, () =>
          this.clock.now(),
        ),
    );
  }

  get webhookRegistry(): WebhookRegistry {
    const { webhooks, masterKeys } = this.config;
    return this.once(
      'webhookRegistry',
      () =>
        new WebhookRegistry(
          this.db,
          masterKeys,
          webhooks.allowPrivateTargets,
          webhooks.maxPerAgency,
        ),
    );
  }

  get deliverWebhook(): DeliverWebhook {
    return this.once(
      'deliverWebhook',
      () => new DeliverWebhook(this.db, this.webhookRegistry, this.config.webhooks),
    );
  }

  get apiKeys(): ApiKeyAuthenticator {
    return this.once('apiKeys', () => new ApiKeyAuthenticator(this.db, this.config.apiKeyCacheMs));
  }

  get oidcVerifier(): OidcVerifier {
    return this.once(
      'oidcVerifier',
      () =>
        new OidcVerifier(this.config.oidc, {
          country: this.config.nationalIds.country,
          allowSynthetic: this.config.nationalIds.allowSynthetic,
        }),
    );
  }

  letterNotifications(mailer: MailSender, logger: FailureLogger): LetterNotifications {
    const { mail, notifications } = this.config;
    return this.once(
      'letterNotifications',
      () =>
        new LetterNotifications(
          this.db,
          mailer,
          {
            from: mail.from,
            webUrl: mail.publicWebUrl,
            attempts: notifications.attempts,
            backoffMs: notifications.backoffMs,
            backoffMaxMs: notifications.backoffMaxMs,
            quietHours: parseQuietHours(notifications.quietHours),
            dayMs: notifications.reminderDayMs,
          },
          logger,
        ),
    );
  }

  accessLogNotifications(mailer: MailSender, logger: FailureLogger): AccessLogNotifications {
    return this.once(
      'accessLogNotifications',
      () =>
        new AccessLogNotifications(
          this.db,
          mailer,
          {
            from: this.config.mail.from,
            webUrl: this.config.mail.publicWebUrl,
            quietHours: parseQuietHours(this.config.notifications.quietHours),
          },
          logger,
          () => this.clock.now(),
        ),
    );
  }

  emailConfirmations(mailer: MailSender): EmailConfirmations {
    const { mail, notifications } = this.config;
    return this.once(
      'emailConfirmations',
      () =>
        new EmailConfirmations(this.db, mailer, {
          from: mail.from,
          apiUrl: notifications.publicApiUrl,
          ttlHours: notifications.confirmationTtlHours,
          limits: notifications.confirmationLimits,
        }),
    );
  }

  get notificationReconciler(): NotificationReconciler {
    const { worker, notifications } = this.config;
    return this.once(
      'notificationReconciler',
      () =>
        new NotificationReconciler(
          this.db,
          this.producer,
          Math.max(5_000, 2 * worker.reconcileIntervalMs),
          notifications.reminderDayMs,
        ),
    );
  }

  /** What the worker's scrape-time gauges read: the outbox, the sequencer, the heads, the queues. */
  get pipelineProbe(): PipelineProbe {
    return this.once(
      'pipelineProbe',
      () =>
        new PipelineProbe(new OutboxStore(this.sql), new ReceiptsStore(this.sql), this.producer),
    );
  }
}
