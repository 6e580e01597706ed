import type { DataSource, EntityManager } from 'typeorm';
import { stageReceipt } from '#letters';
import { VISIBLE_TO_CITIZEN } from '#lifecycle';
import { decideAccess } from '#access';
import { NotificationsStore, Sql, type NotificationContext } from '#stores';
import { quietHoursEnd, type QuietHours } from './quiet-hours';
import { retryDelayMs } from './retry-delay';
import { classifySmtpError, type MailSender } from './smtp-transport';
import { renderLetterEmail, type NotificationKind } from './templates';

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
  private readonly store: NotificationsStore;

  constructor(
    private readonly db: DataSource,
    private readonly mailer: MailSender,
    private readonly settings: NotificationSettings,
    private readonly log: NotificationLog,
  ) {
    this.store = new NotificationsStore(new Sql(db));
  }

  async execute(
    letterId: string,
    kind: NotificationKind,
    now: () => Date = () => new Date(),
  ): Promise<NotificationOutcome> {
    const context = await this.store.notificationContext(letterId, kind);
    if (!context || !VISIBLE_TO_CITIZEN.includes(context.state)) {
      return { kind: 'done', result: 'skipped' };
    }
    // A letter already opened needs neither a "you have mail" email nor a reminder.
    if (context.readAt) return { kind: 'done', result: 'skipped' };
    if (kind === 'reminder') {
      if (context.reminderAfterDays <= 0 || !context.deliveredAt) {
        return { kind: 'done', result: 'skipped' };
      }
      const due = new Date(
        context.deliveredAt.getTime() + context.reminderAfterDays * this.settings.dayMs,
      );
      if (due > now()) return { kind: 'later', at: due, why: 'not_due' };
    }

    if (context.send?.state === 'sent' || context.send?.state === 'failed') {
      return { kind: 'done', result: 'already_done' };
    }
    const lease = this.settings.leaseMs ?? DEFAULT_LEASE_MS;
    if (context.send?.state === 'sending') {
      const leaseEnd = new Date(context.send.updatedAt.getTime() + lease);
      if (leaseEnd > now()) return { kind: 'later', at: leaseEnd, why: 'in_flight' };
      // The run that claimed it died during the SMTP transaction: the email may or may not have
      // gone out. We do not send it again (at most once) and tell the sender so.
      return this.fail(letterId, kind, {
        code: 'notification.outcome_unknown',
        detail: 'the sending process stopped during the SMTP transaction',
      });
    }

    const to = await this.addressesFor(context, now());
    if ('failure' in to) return this.fail(letterId, kind, to.failure);
    const quietUntil = quietHoursEnd(now(), this.settings.quietHours, context.timeZone);
    if (quietUntil) return { kind: 'later', at: quietUntil, why: 'quiet_hours' };

    const attempt = await this.store.claimSend(letterId, kind);
    if (attempt === null)
      return { kind: 'later', at: new Date(now().getTime() + lease), why: 'in_flight' };

    const email = renderLetterEmail({
      kind,
      language: context.language,
      sender: context.agencyName,
      title: context.title,
      webUrl: this.settings.webUrl,
      mailboxName: context.mailbox.kind === 'organisation' ? context.mailbox.displayName : null,
      confidential: context.confidential,
    });
    let messageId: string;
    try {
      ({ messageId } = await this.mailer.send({
        from: this.settings.from,
        to: to.addresses.length === 1 ? to.addresses[0] : to.addresses,
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
      await this.store.releaseForRetry(letterId, kind, reason);
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

  /**
   * Whom the email goes to. A person's letter, and an organisation's that is not confidential:
   * the mailbox's own confirmed address. An organisation's confidential letter: only the people
   * with confidential access to it, each at their own confirmed address (DESIGN "Who may
   * act"), decided by the same function that decides their reads, never the shared address.
   */
  private async addressesFor(
    context: NotificationContext,
    now: Date,
  ): Promise<{ addresses: string[] } | { failure: { code: string; detail: string } }> {
    const { mailbox } = context;
    if (context.confidential && mailbox.kind === 'organisation' && mailbox.organisationNumber) {
      const organisation = {
        id: mailbox.id,
        kind: 'organisation' as const,
        organisationNumber: mailbox.organisationNumber,
      };
      const grants = await this.store.grantsWithAddresses(mailbox.id);
      const addresses = grants
        .filter(({ grant, email }) => {
          if (!email) return false;
          const principal = { personRef: grant.granteeRef, administratorOf: [] };
          const scope = decideAccess(principal, organisation, [grant], now);
          return scope !== 'none' && scope.confidential;
        })
        .map(({ email }) => email!);
      if (addresses.length === 0) {
        return {
          failure: {
            code: 'notification.no_confidential_address',
            detail:
              'no one with confidential access to the mailbox has a confirmed notification address',
          },
        };
      }
      return { addresses: [...new Set(addresses)] };
    }
    if (!context.notificationEmail) {
      return {
        failure: {
          code: 'notification.no_address',
          detail: 'the mailbox has no notification address',
        },
      };
    }
    if (!context.emailConfirmed) {
      return {
        failure: {
          code: 'notification.address_unconfirmed',
          detail: 'the notification address has not been confirmed',
        },
      };
    }
    return { addresses: [context.notificationEmail] };
  }

  /**
   * The SMTP server has the email; losing that fact now would turn a sent email into "outcome
   * unknown", so the record is retried for a while before giving up.
   */
  private async recordSent(letterId: string, kind: NotificationKind, messageId: string) {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.db.transaction(async (m) => {
          await this.store.recordSent(new Sql(m), letterId, kind, messageId);
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
      const line = `${reason.code}: ${reason.detail}`;
      if (!(await this.store.recordFailed(new Sql(m), letterId, kind, line)))
        return { kind: 'done', result: 'already_done' };
      await stageReceipt(m, letterId, 'notification_failed', { kind, reason });
      this.log.warn(
        { letterId, kind, reason: line, nextAttemptAt: null },
        `notification failed (${line}); no further attempt`,
      );
      return { kind: 'done', result: 'failed' };
    });
  }
}
