import type { DataSource } from 'typeorm';
import { AccessNotificationsStore, Sql, type AccessTelling } from '#stores';
import type { NotificationLog } from './letter-notifications';
import { quietHoursEnd, type QuietHours } from './quiet-hours';
import type { MailSender } from './smtp-transport';
import { renderAccessEmail } from './templates';

const WEEK_MS = 7 * 86_400_000;
const BATCH = 100;

export interface AccessNotificationSettings {
  from: string;
  webUrl: string;
  /** No email in the citizen's night: the entries wait for the next round after it. */
  quietHours: QuietHours | null;
}

/**
 * Tells citizens who asked for it that something was recorded in their access log: one email
 * per entry ("immediate") or one digest a week ("weekly"). An entry withheld from the citizen is
 * only told once released: "visible" is what the query asks, at the clock's now, so the worker's
 * periodic run finds released entries without a job of their own.
 */
export class AccessLogNotifications {
  private readonly store: AccessNotificationsStore;

  constructor(
    db: DataSource,
    private readonly mailer: MailSender,
    private readonly settings: AccessNotificationSettings,
    private readonly log: NotificationLog,
    private readonly now: () => Date,
  ) {
    this.store = new AccessNotificationsStore(new Sql(db));
  }

  /** One round; returns how many emails went out (more may be due when it is a full batch). */
  async tellDue(): Promise<number> {
    const now = this.now();
    let sent = 0;
    for (const telling of await this.store.claimImmediate(now, BATCH))
      sent += await this.send(telling, false, now);
    for (const telling of await this.store.claimWeekly(now, WEEK_MS, BATCH))
      sent += await this.send(telling, true, now);
    return sent;
  }

  private async send(telling: AccessTelling, digest: boolean, now: Date): Promise<number> {
    if (quietHoursEnd(now, this.settings.quietHours, telling.timeZone)) {
      await this.store.giveBack(telling, digest);
      return 0;
    }
    const email = renderAccessEmail({
      language: telling.language,
      count: telling.entryIds.length,
      digest,
      accessLogUrl: new URL('access-log', this.settings.webUrl).toString(),
    });
    try {
      await this.mailer.send({ from: this.settings.from, to: telling.email, ...email });
      return 1;
    } catch (error) {
      await this.store.giveBack(telling, digest);
      this.log.warn(
        { mailboxId: telling.mailboxId, digest, reason: String(error) },
        'access-log notification failed; it is tried again next round',
      );
      return 0;
    }
  }
}
