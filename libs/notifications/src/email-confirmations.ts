import { createHash, randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { DomainError } from '#errors';
import type { MailSender } from './smtp-transport';
import { renderConfirmationEmail, type Language } from './templates';

export interface ConfirmationSettings {
  from: string;
  /** The API's public address; the link is `${apiUrl}/v1/email-confirmation?token=…`. */
  apiUrl: string;
  ttlHours: number;
}

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
