import { createHash, randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { DomainError, RateLimitedError } from '#errors';
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

type Querier = Pick<DataSource, 'query'>;

/** The target address as the limit counts it; the same expression as the generated column. */
const ADDRESS_KEY = `lower(regexp_replace($1::text, '\\+[^@]*@', '@'))`;

const TOKEN_FORMAT = /^[A-Za-z0-9_-]{43}$/;

const hashToken = (token: string): Buffer => createHash('sha256').update(token).digest();

const invalidToken = () =>
  new DomainError(400, 'email_confirmation.invalid_token', 'The confirmation link is not valid');

interface TokenRow {
  id: string;
  mailbox_id: string;
  email: string;
  expires_at: Date;
  used_at: Date | null;
  language: Language;
  notification_email: string | null;
}

/**
 * Proves that a citizen reads the notification address before anything else is sent to it.
 * Tokens are random, stored as SHA-256 only, single-use and expiring; a new address makes
 * every earlier link for the mailbox expire.
 */
export class EmailConfirmations {
  constructor(
    private readonly db: DataSource,
    private readonly mailer: MailSender,
    private readonly settings: ConfirmationSettings,
  ) {}

  /**
   * Refuses with 429 when a confirmation mail from this mailbox to this address would break a
   * limit. The settings change asks before it takes a new address, so a citizen cannot cycle
   * addresses to send more; `request` checks again under locks.
   */
  async assertMaySend(mailboxId: string, email: string): Promise<void> {
    await this.checkLimits(this.db, mailboxId, email);
  }

  private async checkLimits(q: Querier, mailboxId: string, email: string): Promise<void> {
    const { perMailboxHour, perAddressDay } = this.settings.limits;
    const mailboxWait = await this.secondsUntilAllowed(
      q,
      'mailbox_id = $1::uuid',
      mailboxId,
      perMailboxHour,
      3_600,
    );
    if (mailboxWait !== null) {
      throw new RateLimitedError(
        'email_confirmation.too_many_for_mailbox',
        `At most ${perMailboxHour} confirmation emails per hour can be sent from one mailbox; retry after ${mailboxWait} s`,
        mailboxWait,
      );
    }
    const addressWait = await this.secondsUntilAllowed(
      q,
      `address_key = ${ADDRESS_KEY}`,
      email,
      perAddressDay,
      86_400,
    );
    if (addressWait !== null) {
      throw new RateLimitedError(
        'email_confirmation.too_many_for_address',
        `At most ${perAddressDay} confirmation emails per day can be sent to one address; retry after ${addressWait} s`,
        addressWait,
      );
    }
  }

  /**
   * A sliding window over the mails already sent: null while fewer than `limit` went out in the
   * last `windowSeconds`, else the seconds until the oldest of the last `limit` leaves it.
   */
  private async secondsUntilAllowed(
    q: Querier,
    where: string,
    value: string,
    limit: number,
    windowSeconds: number,
  ): Promise<number | null> {
    if (limit <= 0) return null;
    const [row] = (await q.query(
      `SELECT ceil(extract(epoch FROM created_at + make_interval(secs => $2) - now()))::int AS wait
         FROM email_confirmations
        WHERE ${where} AND created_at > now() - make_interval(secs => $2)
        ORDER BY created_at DESC OFFSET $3 LIMIT 1`,
      [value, windowSeconds, limit - 1],
    )) as { wait: number }[];
    return row ? Math.max(1, row.wait) : null;
  }

  /** Issues a new link for the mailbox's current, unconfirmed address and emails it. */
  async request(mailboxId: string): Promise<'sent' | 'nothing_to_confirm'> {
    const token = randomBytes(32).toString('base64url');
    const target = await this.db.transaction(async (m) => {
      const [mailbox] = (await m.query(
        `SELECT notification_email, email_confirmed, language FROM mailboxes
          WHERE id = $1 FOR UPDATE`,
        [mailboxId],
      )) as { notification_email: string | null; email_confirmed: boolean; language: Language }[];
      if (!mailbox?.notification_email || mailbox.email_confirmed) return null;
      // The mailbox row is locked; this serialises requests for one address across mailboxes.
      await m.query(`SELECT pg_advisory_xact_lock(hashtextextended(${ADDRESS_KEY}, 0))`, [
        mailbox.notification_email,
      ]);
      await this.checkLimits(m, mailboxId, mailbox.notification_email);
      await m.query(
        `UPDATE email_confirmations SET expires_at = least(expires_at, now())
          WHERE mailbox_id = $1 AND used_at IS NULL`,
        [mailboxId],
      );
      await m.query(
        `INSERT INTO email_confirmations (id, mailbox_id, email, token_sha256, expires_at)
         VALUES ($1, $2, $3, $4, now() + make_interval(hours => $5))`,
        [uuidv7(), mailboxId, mailbox.notification_email, hashToken(token), this.settings.ttlHours],
      );
      return { email: mailbox.notification_email, language: mailbox.language };
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
    const row = this.check(await this.find(this.db, token));
    return { language: row.language };
  }

  /** Uses the token once and marks the address it was issued for as confirmed. */
  async confirm(
    token: string,
  ): Promise<{ notificationEmail: string; emailConfirmed: true; language: Language }> {
    return this.db.transaction(async (m) => {
      const row = this.check(await this.find(m, token, true));
      await m.query('UPDATE email_confirmations SET used_at = now() WHERE id = $1', [row.id]);
      await m.query(
        `UPDATE mailboxes SET email_confirmed = true
          WHERE id = $1 AND notification_email = $2`,
        [row.mailbox_id, row.email],
      );
      return { notificationEmail: row.email, emailConfirmed: true, language: row.language };
    });
  }

  private async find(
    q: Pick<DataSource, 'query'>,
    token: string,
    lock = false,
  ): Promise<TokenRow | undefined> {
    if (!TOKEN_FORMAT.test(token)) return undefined;
    const [row] = (await q.query(
      `SELECT c.id, c.mailbox_id, c.email, c.expires_at, c.used_at, mb.language,
              mb.notification_email
         FROM email_confirmations c JOIN mailboxes mb ON mb.id = c.mailbox_id
        WHERE c.token_sha256 = $1 ${lock ? 'FOR UPDATE OF c, mb' : ''}`,
      [hashToken(token)],
    )) as TokenRow[];
    return row;
  }

  private check(row: TokenRow | undefined): TokenRow {
    if (!row) throw invalidToken();
    if (row.used_at) {
      throw new DomainError(
        409,
        'email_confirmation.already_used',
        'This confirmation link has already been used',
      );
    }
    if (row.expires_at.getTime() <= Date.now() || row.notification_email !== row.email) {
      throw new DomainError(
        410,
        'email_confirmation.expired',
        'This confirmation link has expired; ask for a new one in the mailbox settings',
      );
    }
    return row;
  }
}
