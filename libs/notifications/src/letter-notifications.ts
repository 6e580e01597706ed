import type { DataSource, EntityManager } from 'typeorm';
import { stageReceipt } from '#letters';
import { quietHoursEnd, type QuietHours } from './quiet-hours';
import { retryDelayMs } from './retry-delay';
import { classifySmtpError, type MailSender } from './smtp-transport';
import { renderLetterEmail, type Language, type NotificationKind } from './templates';

export interface NotificationSettings {
  from: string;
  webUrl: string;
  /** Attempts per email for transient failures (connection errors, SMTP 4xx). */
  attempts: number;
  /** The first retry's delay; each next one doubles. */
  backoffMs: number;
  /** The longest wait between two attempts; 0 lets the doubling go on. */
  backoffMaxMs?: number;
  quietHours: QuietHours | null;
  /** The length of a day for `reminderAfterDays` (shorter only in tests). */
  dayMs: number;
  /** How long a claimed send may take before we stop waiting for it (longer than SMTP timeouts). */
  leaseMs?: number;
}

export type NotificationOutcome =
  | { kind: 'done'; result: 'sent' | 'failed' | 'skipped' | 'already_done' }
  | { kind: 'later'; at: Date; why: 'quiet_hours' | 'retry' | 'not_due' | 'in_flight' };

interface Context {
  state: string;
  read_at: Date | null;
  delivered_at: Date | null;
  reminder_after_days: number;
  title: string;
  agency_name: string;
  notification_email: string | null;
  email_confirmed: boolean;
  language: Language;
  time_zone: string;
  /** The email's send record, when there is one. */
  send_state: 'pending' | 'sending' | 'sent' | 'failed' | null;
  send_updated_at: Date | null;
}

/** The worker's logger (pino's shape). Nothing given to it names the citizen or the address. */
export interface NotificationLog {
  warn(details: Record<string, unknown>, message: string): void;
}

const SUCCESS_RECEIPT = { notify: 'notified', reminder: 'reminder_sent' } as const;
const DEFAULT_LEASE_MS = 5 * 60_000;

/**
 * The worker's `notify` and `remind` jobs. Each email is sent at most once per letter and kind:
 * the send is claimed in its own commit before the SMTP transaction and recorded after it, and
 * its outcome is a receipt staged in that same transaction (DESIGN "Notifications").
 */
export class LetterNotifications {
  constructor(
    private readonly db: DataSource,
    private readonly mailer: MailSender,
    private readonly settings: NotificationSettings,
    private readonly log: NotificationLog,
  ) {}

  async execute(
    letterId: string,
    kind: NotificationKind,
    now: () => Date = () => new Date(),
  ): Promise<NotificationOutcome> {
    const context = await this.context(letterId, kind);
    if (!context || !['delivered', 'read', 'acknowledged'].includes(context.state)) {
      return { kind: 'done', result: 'skipped' };
    }
    // A letter already opened needs neither a "you have mail" email nor a reminder.
    if (context.read_at) return { kind: 'done', result: 'skipped' };
    if (kind === 'reminder') {
      if (context.reminder_after_days <= 0 || !context.delivered_at) {
        return { kind: 'done', result: 'skipped' };
      }
      const due = new Date(
        context.delivered_at.getTime() + context.reminder_after_days * this.settings.dayMs,
      );
      if (due > now()) return { kind: 'later', at: due, why: 'not_due' };
    }

    if (context.send_state === 'sent' || context.send_state === 'failed') {
      return { kind: 'done', result: 'already_done' };
    }
    const lease = this.settings.leaseMs ?? DEFAULT_LEASE_MS;
    if (context.send_state === 'sending') {
      const leaseEnd = new Date(context.send_updated_at!.getTime() + lease);
      if (leaseEnd > now()) return { kind: 'later', at: leaseEnd, why: 'in_flight' };
      // The run that claimed it died during the SMTP transaction: the email may or may not have
      // gone out. We do not send it again (at most once) and tell the sender so.
      return this.fail(letterId, kind, {
        code: 'notification.outcome_unknown',
        detail: 'the sending process stopped during the SMTP transaction',
      });
    }

    if (!context.notification_email) {
      return this.fail(letterId, kind, {
        code: 'notification.no_address',
        detail: 'the mailbox has no notification address',
      });
    }
    if (!context.email_confirmed) {
      return this.fail(letterId, kind, {
        code: 'notification.address_unconfirmed',
        detail: 'the notification address has not been confirmed',
      });
    }
    const quietUntil = quietHoursEnd(now(), this.settings.quietHours, context.time_zone);
    if (quietUntil) return { kind: 'later', at: quietUntil, why: 'quiet_hours' };

    const attempt = await this.claim(letterId, kind);
    if (attempt === null)
      return { kind: 'later', at: new Date(now().getTime() + lease), why: 'in_flight' };

    const email = renderLetterEmail({
      kind,
      language: context.language,
      sender: context.agency_name,
      title: context.title,
      webUrl: this.settings.webUrl,
    });
    let messageId: string;
    try {
      ({ messageId } = await this.mailer.send({
        from: this.settings.from,
        to: context.notification_email,
        ...email,
      }));
    } catch (error) {
      const failure = classifySmtpError(error);
      if (failure.permanent) {
        return this.fail(letterId, kind, {
          code: 'notification.rejected',
          detail: `${failure.code}: ${failure.detail}`,
        });
      }
      if (attempt >= this.settings.attempts) {
        return this.fail(letterId, kind, {
          code: 'notification.retries_exhausted',
          detail: `${attempt} attempts; last: ${failure.code}: ${failure.detail}`,
        });
      }
      const reason = `${failure.code}: ${failure.detail}`;
      await this.db.query(
        `UPDATE notification_sends SET state = 'pending', last_error = $3, updated_at = now()
          WHERE letter_id = $1 AND kind = $2 AND state = 'sending'`,
        [letterId, kind, reason],
      );
      const delay = retryDelayMs(attempt, this.settings.backoffMs, this.settings.backoffMaxMs);
      const next = new Date(now().getTime() + delay);
      // Without this line an unreachable mail server looks like a quiet queue for hours.
      this.log.warn(
        {
          letterId,
          kind,
          attempt,
          attempts: this.settings.attempts,
          reason,
          nextAttemptAt: next.toISOString(),
        },
        `notification attempt ${attempt} of ${this.settings.attempts} failed (${reason}); next attempt at ${next.toISOString()}`,
      );
      return { kind: 'later', at: next, why: 'retry' };
    }
    await this.recordSent(letterId, kind, messageId);
    return { kind: 'done', result: 'sent' };
  }

  private async context(letterId: string, kind: NotificationKind): Promise<Context | undefined> {
    const [row] = (await this.db.query(
      `SELECT l.state, l.read_at, l.delivered_at, l.reminder_after_days, l.title,
              a.name AS agency_name, mb.notification_email, mb.email_confirmed, mb.language,
              mb.time_zone, ns.state AS send_state, ns.updated_at AS send_updated_at
         FROM letters l
         JOIN agencies a ON a.id = l.agency_id
         JOIN mailboxes mb ON mb.id = l.mailbox_id
         LEFT JOIN notification_sends ns ON ns.letter_id = l.id AND ns.kind = $2
        WHERE l.id = $1`,
      [letterId, kind],
    )) as Context[];
    return row;
  }

  /** Claims the send in its own commit; returns the attempt number, or null if another run holds it. */
  private async claim(letterId: string, kind: NotificationKind): Promise<number | null> {
    const rows = (await this.db.query(
      `INSERT INTO notification_sends (letter_id, kind, state, attempts)
       VALUES ($1, $2, 'sending', 1)
       ON CONFLICT (letter_id, kind) DO UPDATE
         SET state = 'sending', attempts = notification_sends.attempts + 1, updated_at = now()
         WHERE notification_sends.state = 'pending'
       RETURNING attempts`,
      [letterId, kind],
    )) as { attempts: number }[];
    return rows.length > 0 ? rows[0].attempts : null;
  }

  /**
   * The SMTP server has the email; losing that fact now would turn a sent email into "outcome
   * unknown", so the record is retried for a while before giving up.
   */
  private async recordSent(letterId: string, kind: NotificationKind, messageId: string) {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.db.transaction(async (m) => {
          await m.query(
            `UPDATE notification_sends
                SET state = 'sent', sent_at = now(), updated_at = now(), message_id = $3,
                    last_error = NULL
              WHERE letter_id = $1 AND kind = $2`,
            [letterId, kind, messageId],
          );
          await stageReceipt(m, letterId, SUCCESS_RECEIPT[kind], { kind });
        });
        return;
      } catch (error) {
        if (attempt >= 10) throw error;
        await new Promise((r) => setTimeout(r, 500 * attempt));
      }
    }
  }

  private async fail(
    letterId: string,
    kind: NotificationKind,
    reason: { code: string; detail: string },
  ): Promise<NotificationOutcome> {
    return this.db.transaction(async (m: EntityManager): Promise<NotificationOutcome> => {
      const rows = (await m.query(
        `INSERT INTO notification_sends (letter_id, kind, state, last_error)
         VALUES ($1, $2, 'failed', $3)
         ON CONFLICT (letter_id, kind) DO UPDATE
           SET state = 'failed', last_error = $3, updated_at = now()
           WHERE notification_sends.state <> 'sent'
         RETURNING state`,
        [letterId, kind, `${reason.code}: ${reason.detail}`],
      )) as unknown[];
      if (rows.length === 0) return { kind: 'done', result: 'already_done' };
      await stageReceipt(m, letterId, 'notification_failed', { kind, reason });
      const line = `${reason.code}: ${reason.detail}`;
      this.log.warn(
        { letterId, kind, reason: line, nextAttemptAt: null },
        `notification failed (${line}); no further attempt`,
      );
      return { kind: 'done', result: 'failed' };
    });
  }
}
