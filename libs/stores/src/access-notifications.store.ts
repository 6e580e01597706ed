import { int, oneOf, text } from './columns';
import { LANGUAGES, type Language } from './mailboxes.store';
import type { Sql } from './sql';

const language = oneOf(LANGUAGES);

/** Someone to tell: where, in which language, and of how many new entries. */
export interface AccessTelling {
  mailboxId: string;
  email: string;
  language: Language;
  /** For quiet hours, which are the citizen's local time. */
  timeZone: string;
  /** The entries claimed for this email (one for an immediate one). */
  entryIds: string[];
}

/** When an entry is the citizen's to see: its release, or when it was written. */
const VISIBLE_FROM = 'COALESCE(g.withheld_until, g.at)';
/** Entries not told yet that the citizen sees at `$1` and chose to be told of. */
const TO_TELL = `g.told_at IS NULL AND ${VISIBLE_FROM} <= $1::timestamptz
  AND ${VISIBLE_FROM} >= mb.access_notifications_since`;
const ADDRESSABLE = 'mb.email_confirmed AND mb.notification_email IS NOT NULL';

/**
 * Which access-log entries citizens are to be told of by email (DESIGN "Access notices").
 * An entry is claimed (`told_at`) in the transaction that picks it, before the email goes out:
 * at most one email per entry; a send that fails gives its entries back.
 */
export class AccessNotificationsStore {
  constructor(private readonly sql: Sql) {}

  /** Up to `limit` entries for citizens who want one email each, claimed at `now`. */
  claimImmediate(now: Date, limit: number): Promise<AccessTelling[]> {
    return this.sql.rows(
      `WITH picked AS (
         SELECT g.id FROM mailboxes mb JOIN access_log g ON g.mailbox_id = mb.id
          WHERE mb.access_notifications = 'immediate' AND ${ADDRESSABLE} AND ${TO_TELL}
          ORDER BY g.at LIMIT $2 FOR UPDATE OF g SKIP LOCKED)
       UPDATE access_log g SET told_at = $1 FROM picked, mailboxes mb
        WHERE g.id = picked.id AND mb.id = g.mailbox_id
       RETURNING g.id, g.mailbox_id, mb.notification_email, mb.language, mb.time_zone`,
      [now, limit],
      (r) => ({
        mailboxId: text(r, 'mailbox_id'),
        email: text(r, 'notification_email'),
        language: language(r, 'language'),
        timeZone: text(r, 'time_zone'),
        entryIds: [text(r, 'id')],
      }),
    );
  }

  /**
   * One digest's worth for each of up to `limit` citizens who want a weekly one and whose last
   * digest (or choice) is a week old: every entry since, claimed at `now`.
   */
  claimWeekly(now: Date, weekMs: number, limit: number): Promise<AccessTelling[]> {
    return this.sql.transaction(async (tx) => {
      const due = await tx.rows(
        `SELECT mb.id FROM mailboxes mb
          WHERE mb.access_notifications = 'weekly' AND ${ADDRESSABLE}
            AND COALESCE(mb.access_digest_sent_at, mb.access_notifications_since)
                <= $1::timestamptz - make_interval(secs => $2::double precision / 1000)
            AND EXISTS (SELECT 1 FROM access_log g WHERE g.mailbox_id = mb.id AND ${TO_TELL})
          ORDER BY mb.id LIMIT $3 FOR UPDATE OF mb SKIP LOCKED`,
        [now, weekMs, limit],
        (r) => text(r, 'id'),
      );
      const tellings: AccessTelling[] = [];
      for (const mailboxId of due) {
        const [telling] = await tx.rows(
          `WITH told AS (
             UPDATE access_log g SET told_at = $1 FROM mailboxes mb
              WHERE g.mailbox_id = $2 AND mb.id = g.mailbox_id AND ${TO_TELL}
             RETURNING g.id)
           UPDATE mailboxes SET access_digest_sent_at = $1 WHERE id = $2
           RETURNING id, notification_email, language, time_zone,
                     (SELECT array_agg(id::text) FROM told) AS entry_ids,
                     (SELECT count(*) FROM told)::int AS n`,
          [now, mailboxId],
          (r) => ({
            mailboxId: text(r, 'id'),
            email: text(r, 'notification_email'),
            language: language(r, 'language'),
            timeZone: text(r, 'time_zone'),
            entryIds: int(r, 'n') > 0 ? (r.entry_ids as string[]) : [],
          }),
        );
        if (telling && telling.entryIds.length > 0) tellings.push(telling);
      }
      return tellings;
    });
  }

  /** A send failed: its entries are told again next time (and a digest is due again). */
  async giveBack(telling: AccessTelling, digest: boolean): Promise<void> {
    await this.sql.run('UPDATE access_log SET told_at = NULL WHERE id = ANY($1::uuid[])', [
      telling.entryIds,
    ]);
    if (digest)
      await this.sql.run('UPDATE mailboxes SET access_digest_sent_at = NULL WHERE id = $1', [
        telling.mailboxId,
      ]);
  }
}
