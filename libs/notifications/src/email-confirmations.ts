import { createHash, randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import type { MailboxScope } from '#access';
import { DomainError, RateLimitedError } from '#errors';
import { NotificationsStore, Sql, type ConfirmationCounter, type ConfirmationToken } from '#stores';
import type { MailSender } from './smtp-transport';
import { renderConfirmationEmail, type Language } from './templates';

export interface ConfirmationSettings {
  from: string;
  /** The API's public address; the link is `${apiUrl}/v1/email-confirmation?token=…`. */
  apiUrl: string;
  ttlHours: number;
  /** Mails per mailbox and hour, and per target address and day, whoever asks (0: no limit). */
  limits: { perMailboxHour: number; perAddressDay: number };
}

const TOKEN_FORMAT = /^[A-Za-z0-9_-]{43}$/;

const hashToken = (token: string): Buffer => createHash('sha256').update(token).digest();

const invalidToken = () =>
  new DomainError(400, 'email_confirmation.invalid_token', 'The confirmation link is not valid');

/**
 * Proves that a citizen reads the notification address before anything else is sent to it.
 * Tokens are random, stored as SHA-256 only, single-use and expiring; a new address makes
 * every earlier link for the mailbox expire.
 */
export class EmailConfirmations {
  private readonly sql: Sql;
  private readonly store: NotificationsStore;

  constructor(
    db: DataSource,
    private readonly mailer: MailSender,
    private readonly settings: ConfirmationSettings,
  ) {
    this.sql = new Sql(db);
    this.store = new NotificationsStore(this.sql);
  }

  /**
   * Refuses with 429 when a confirmation mail from this mailbox to this address would break a
   * limit. The settings change asks before it takes a new address, so a citizen cannot cycle
   * addresses to send more; `request` checks again under locks.
   */
  async assertMaySend(scope: MailboxScope, email: string): Promise<void> {
    await this.checkLimits(this.sql, scope.mailboxId, email);
  }

  private async checkLimits(tx: Sql, mailboxId: string, email: string): Promise<void> {
    const { perMailboxHour, perAddressDay } = this.settings.limits;
    const mailboxWait = await this.secondsUntilAllowed(tx, { mailboxId }, perMailboxHour, 3_600);
    if (mailboxWait !== null) {
      throw new RateLimitedError(
        'email_confirmation.too_many_for_mailbox',
        `At most ${perMailboxHour} confirmation emails per hour can be sent from one mailbox; retry after ${mailboxWait} s`,
        mailboxWait,
      );
    }
    const addressWait = await this.secondsUntilAllowed(tx, { email }, perAddressDay, 86_400);
    if (addressWait !== null) {
      throw new RateLimitedError(
        'email_confirmation.too_many_for_address',
        `At most ${perAddressDay} confirmation emails per day can be sent to one address; retry after ${addressWait} s`,
        addressWait,
      );
    }
  }

  /** No limit (0) needs no query. */
  private secondsUntilAllowed(
    tx: Sql,
    counter: ConfirmationCounter,
    limit: number,
    windowSeconds: number,
  ): Promise<number | null> {
    if (limit <= 0) return Promise.resolve(null);
    return this.store.secondsUntilConfirmationAllowed(tx, counter, limit, windowSeconds);
  }

  /** Issues a new link for the mailbox's current, unconfirmed address and emails it. */
  async request(scope: MailboxScope): Promise<'sent' | 'nothing_to_confirm'> {
    const token = randomBytes(32).toString('base64url');
    const target = await this.sql.transaction(async (tx) => {
      const mailbox = await this.store.lockAddressToConfirm(tx, scope);
      if (!mailbox?.notificationEmail || mailbox.emailConfirmed) return null;
      await this.store.lockAddress(tx, mailbox.notificationEmail);
      await this.checkLimits(tx, scope.mailboxId, mailbox.notificationEmail);
      await this.store.issueConfirmation(tx, {
        id: uuidv7(),
        mailboxId: scope.mailboxId,
        email: mailbox.notificationEmail,
        tokenSha256: hashToken(token),
        ttlHours: this.settings.ttlHours,
      });
      return { email: mailbox.notificationEmail, language: mailbox.language };
    });
    if (!target) return 'nothing_to_confirm';
    const confirmUrl = `${this.settings.apiUrl}/v1/email-confirmation?token=${token}`;
    await this.mailer.send({
      from: this.settings.from,
      to: target.email,
      ...renderConfirmationEmail({
        language: target.language,
        confirmUrl,
        expiresInHours: this.settings.ttlHours,
      }),
    });
    return 'sent';
  }

  /** Checks a token without using it (the page the link opens); returns the mailbox's language. */
  async inspect(token: string): Promise<{ language: Language }> {
    const row = this.check(await this.find(this.sql, token));
    return { language: row.language };
  }

  /** Uses the token once and marks the address it was issued for as confirmed. */
  async confirm(
    token: string,
  ): Promise<{ notificationEmail: string; emailConfirmed: true; language: Language }> {
    return this.sql.transaction(async (tx) => {
      const row = this.check(await this.find(tx, token, true));
      await this.store.confirm(tx, row);
      return { notificationEmail: row.email, emailConfirmed: true, language: row.language };
    });
  }

  private async find(tx: Sql, token: string, lock = false): Promise<ConfirmationToken | null> {
    if (!TOKEN_FORMAT.test(token)) return null;
    return this.store.findConfirmation(tx, hashToken(token), lock);
  }

  private check(row: ConfirmationToken | null): ConfirmationToken {
    if (!row) throw invalidToken();
    if (row.usedAt) {
      throw new DomainError(
        409,
        'email_confirmation.already_used',
        'This confirmation link has already been used',
      );
    }
    if (row.expiresAt.getTime() <= Date.now() || row.notificationEmail !== row.email) {
      throw new DomainError(
        410,
        'email_confirmation.expired',
        'This confirmation link has expired; ask for a new one in the mailbox settings',
      );
    }
    return row;
  }
}
