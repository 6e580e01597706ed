import {
  GRANT_ROLES,
  MAILBOX_KINDS,
  mailboxToWrite,
  type Grant,
  type MailboxKind,
  type MailboxScope,
} from '#access';
import { LETTER_STATES, type LetterState } from '#lifecycle';
import { bool, date, int, nullable, oneOf, text } from './columns';
import { LANGUAGES, type Language } from './mailboxes.store';
import type { Row, Sql } from './sql';

const queue = oneOf(['notify', 'remind'] as const);
const letterState = oneOf(LETTER_STATES);
const language = oneOf(LANGUAGES);
const SEND_STATES = ['pending', 'sending', 'sent', 'failed'] as const;
const sendState = nullable(oneOf(SEND_STATES));
const maybeText = nullable(text);
const maybeDate = nullable(date);
const mailboxKind = oneOf(MAILBOX_KINDS);
const grantRole = oneOf(GRANT_ROLES);
const grantAccess = oneOf(['read', 'read_write'] as const);

export type NotificationKind = 'notify' | 'reminder';

/** What the worker needs to decide about one letter's email of one kind. */
export interface NotificationContext {
  state: LetterState;
  readAt: Date | null;
  deliveredAt: Date | null;
  reminderAfterDays: number;
  title: string;
  agencyName: string;
  /** Kept to those with confidential access: for an organisation, not its own address. */
  confidential: boolean;
  mailbox: {
    id: string;
    kind: MailboxKind;
    organisationNumber: string | null;
    /** The organisation's name, named in its emails. */
    displayName: string | null;
  };
  notificationEmail: string | null;
  emailConfirmed: boolean;
  language: Language;
  timeZone: string;
  /** The email's send record, when there is one. */
  send: { state: (typeof SEND_STATES)[number]; updatedAt: Date } | null;
}

function decodeContext(r: Row): NotificationContext {
  const state = sendState(r, 'send_state');
  return {
    state: letterState(r, 'state'),
    readAt: maybeDate(r, 'read_at'),
    deliveredAt: maybeDate(r, 'delivered_at'),
    reminderAfterDays: int(r, 'reminder_after_days'),
    title: text(r, 'title'),
    agencyName: text(r, 'agency_name'),
    confidential: bool(r, 'confidential'),
    mailbox: {
      id: text(r, 'mailbox_id'),
      kind: mailboxKind(r, 'mailbox_kind'),
      organisationNumber: maybeText(r, 'organisation_number'),
      displayName: maybeText(r, 'display_name'),
    },
    notificationEmail: maybeText(r, 'notification_email'),
    emailConfirmed: bool(r, 'email_confirmed'),
    language: language(r, 'language'),
    timeZone: text(r, 'time_zone'),
    send: state ? { state, updatedAt: date(r, 'send_updated_at') } : null,
  };
}

/** A confirmation link as found by its token, with the mailbox's address as it is now. */
export interface ConfirmationToken {
  id: string;
  mailboxId: string;
  email: string;
  expiresAt: Date;
  usedAt: Date | null;
  language: Language;
  notificationEmail: string | null;
}

function decodeToken(r: Row): ConfirmationToken {
  return {
    id: text(r, 'id'),
    mailboxId: text(r, 'mailbox_id'),
    email: text(r, 'email'),
    expiresAt: date(r, 'expires_at'),
    usedAt: maybeDate(r, 'used_at'),
    language: language(r, 'language'),
    notificationEmail: maybeText(r, 'notification_email'),
  };
}

/** The target address as the limit counts it; the same expression as the generated column. */
const ADDRESS_KEY = `lower(regexp_replace($1::text, '\\+[^@]*@', '@'))`;

/** What a confirmation limit counts: mails from one mailbox, or to one address. */
export type ConfirmationCounter = { mailboxId: string } | { email: string };

/** Notification sends (one per letter and kind) and email confirmations. */
export class NotificationsStore {
  constructor(private readonly sql: Sql) {}

  /**
   * Delivered, unread letters whose email has no final outcome after `staleMs`, or whose
   * reminder is overdue by as much: the reconciler gives them their job again.
   */
  overdue(
    staleMs: number,
    dayMs: number,
    limit: number,
  ): Promise<{ letterId: string; queue: 'notify' | 'remind' }[]> {
    return this.sql.rows(
      `(SELECT l.id, 'notify' AS queue FROM letters l
         WHERE l.state = 'delivered' AND l.read_at IS NULL
           AND l.delivered_at < now() - make_interval(secs => $1)
           AND NOT EXISTS (SELECT 1 FROM notification_sends s
                            WHERE s.letter_id = l.id AND s.kind = 'notify'
                              AND s.state IN ('sent', 'failed'))
         ORDER BY l.delivered_at LIMIT $2)
       UNION ALL
       (SELECT l.id, 'remind' AS queue FROM letters l
         WHERE l.state = 'delivered' AND l.read_at IS NULL AND l.reminder_after_days > 0
           AND l.delivered_at + make_interval(secs => l.reminder_after_days * $3::float8)
               < now() - make_interval(secs => $1)
           AND NOT EXISTS (SELECT 1 FROM notification_sends s
                            WHERE s.letter_id = l.id AND s.kind = 'reminder'
                              AND s.state IN ('sent', 'failed'))
         ORDER BY l.delivered_at LIMIT $2)`,
      [staleMs / 1000, limit, dayMs / 1000],
      (r) => ({ letterId: text(r, 'id'), queue: queue(r, 'queue') }),
    );
  }

  /** One letter's email of one kind: the letter, its sender, the mailbox and the send record. */
  notificationContext(
    letterId: string,
    kind: NotificationKind,
  ): Promise<NotificationContext | null> {
    return this.sql.maybeOne(
      `SELECT l.state, l.read_at, l.delivered_at, l.reminder_after_days, l.title, l.confidential,
              a.name AS agency_name, mb.id AS mailbox_id, mb.kind AS mailbox_kind,
              mb.organisation_number, mb.display_name, mb.notification_email, mb.email_confirmed, mb.language,
              mb.time_zone, ns.state AS send_state, ns.updated_at AS send_updated_at
         FROM letters l
         JOIN agencies a ON a.id = l.agency_id
         JOIN mailboxes mb ON mb.id = l.mailbox_id
         LEFT JOIN notification_sends ns ON ns.letter_id = l.id AND ns.kind = $2
        WHERE l.id = $1`,
      [letterId, kind],
      decodeContext,
    );
  }

  /**
   * The standing grants of a mailbox (not revoked), each with its grantee's own confirmed
   * notification address if they have one: the caller decides with `decideAccess` who of them
   * may see a confidential letter. Read from the grants table here, beside the other
   * notification reads, so the worker needs nothing of the grant routes.
   */
  grantsWithAddresses(mailboxId: string): Promise<{ grant: Grant; email: string | null }[]> {
    return this.sql.rows(
      `SELECT g.id, g.mailbox_id, encode(g.grantee_hmac, 'hex') AS grantee_ref, g.role, g.access,
              g.confidential, g.until, g.revoked_at, g.created_at,
              (SELECT p.notification_email FROM mailboxes p
                WHERE p.national_id_hmac = g.grantee_hmac AND p.kind = 'person'
                  AND p.email_confirmed) AS email
         FROM grants g
        WHERE g.mailbox_id = $1 AND g.revoked_at IS NULL
        ORDER BY g.created_at, g.id`,
      [mailboxId],
      (r) => ({
        grant: {
          id: text(r, 'id'),
          mailboxId: text(r, 'mailbox_id'),
          granteeRef: text(r, 'grantee_ref'),
          role: grantRole(r, 'role'),
          access: grantAccess(r, 'access'),
          confidential: bool(r, 'confidential'),
          until: maybeDate(r, 'until'),
          revokedAt: maybeDate(r, 'revoked_at'),
          createdAt: date(r, 'created_at'),
        },
        email: maybeText(r, 'email'),
      }),
    );
  }

  /** Claims the send in its own commit; returns the attempt number, or null if another run holds it. */
  claimSend(letterId: string, kind: NotificationKind): Promise<number | null> {
    return this.sql.maybeOne(
      `INSERT INTO notification_sends (letter_id, kind, state, attempts)
       VALUES ($1, $2, 'sending', 1)
       ON CONFLICT (letter_id, kind) DO UPDATE
         SET state = 'sending', attempts = notification_sends.attempts + 1, updated_at = now()
         WHERE notification_sends.state = 'pending'
       RETURNING attempts`,
      [letterId, kind],
      (r) => int(r, 'attempts'),
    );
  }

  /** A transient failure: the send may be claimed again by the retry. */
  async releaseForRetry(letterId: string, kind: NotificationKind, reason: string): Promise<void> {
    await this.sql.run(
      `UPDATE notification_sends SET state = 'pending', last_error = $3, updated_at = now()
        WHERE letter_id = $1 AND kind = $2 AND state = 'sending'`,
      [letterId, kind, reason],
    );
  }

  async recordSent(tx: Sql, letterId: string, kind: NotificationKind, messageId: string) {
    await tx.run(
      `UPDATE notification_sends
          SET state = 'sent', sent_at = now(), updated_at = now(), message_id = $3,
              last_error = NULL
        WHERE letter_id = $1 AND kind = $2`,
      [letterId, kind, messageId],
    );
  }

  /** Records the final failure unless the email was sent; false when it was (nothing changed). */
  async recordFailed(
    tx: Sql,
    letterId: string,
    kind: NotificationKind,
    reason: string,
  ): Promise<boolean> {
    const changed = await tx.count(
      `INSERT INTO notification_sends (letter_id, kind, state, last_error)
       VALUES ($1, $2, 'failed', $3)
       ON CONFLICT (letter_id, kind) DO UPDATE
         SET state = 'failed', last_error = $3, updated_at = now()
         WHERE notification_sends.state <> 'sent'
       RETURNING state`,
      [letterId, kind, reason],
    );
    return changed > 0;
  }

  /**
   * A sliding window over the confirmation mails already sent: null while fewer than `limit`
   * went out in the last `windowSeconds`, else the seconds until the oldest of the last `limit`
   * leaves it.
   */
  async secondsUntilConfirmationAllowed(
    tx: Sql,
    counter: ConfirmationCounter,
    limit: number,
    windowSeconds: number,
  ): Promise<number | null> {
    const [where, value] =
      'mailboxId' in counter
        ? ['mailbox_id = $1::uuid', counter.mailboxId]
        : [`address_key = ${ADDRESS_KEY}`, counter.email];
    const wait = await tx.maybeOne(
      `SELECT ceil(extract(epoch FROM created_at + make_interval(secs => $2) - now()))::int AS wait
         FROM email_confirmations
        WHERE ${where} AND created_at > now() - make_interval(secs => $2)
        ORDER BY created_at DESC OFFSET $3 LIMIT 1`,
      [value, windowSeconds, limit - 1],
      (r) => int(r, 'wait'),
    );
    return wait === null ? null : Math.max(1, wait);
  }

  /** Locks the mailbox's row for a new link and reads the address it would go to (a write). */
  async lockAddressToConfirm(
    tx: Sql,
    scope: MailboxScope,
  ): Promise<{
    notificationEmail: string | null;
    emailConfirmed: boolean;
    language: Language;
  } | null> {
    return tx.maybeOne(
      `SELECT notification_email, email_confirmed, language FROM mailboxes
        WHERE id = $1 FOR UPDATE`,
      [mailboxToWrite(scope)],
      (r) => ({
        notificationEmail: maybeText(r, 'notification_email'),
        emailConfirmed: bool(r, 'email_confirmed'),
        language: language(r, 'language'),
      }),
    );
  }

  /** With the mailbox row locked, this serialises requests for one address across mailboxes. */
  async lockAddress(tx: Sql, email: string): Promise<void> {
    await tx.run(`SELECT pg_advisory_xact_lock(hashtextextended(${ADDRESS_KEY}, 0))`, [email]);
  }

  /** A new link makes every earlier unused one for the mailbox expire. */
  async issueConfirmation(
    tx: Sql,
    link: { id: string; mailboxId: string; email: string; tokenSha256: Buffer; ttlHours: number },
  ): Promise<void> {
    await tx.run(
      `UPDATE email_confirmations SET expires_at = least(expires_at, now())
        WHERE mailbox_id = $1 AND used_at IS NULL`,
      [link.mailboxId],
    );
    await tx.run(
      `INSERT INTO email_confirmations (id, mailbox_id, email, token_sha256, expires_at)
       VALUES ($1, $2, $3, $4, now() + make_interval(hours => $5))`,
      [link.id, link.mailboxId, link.email, link.tokenSha256, link.ttlHours],
    );
  }

  /** `lock` inside the confirming transaction: the token and the mailbox are locked with it. */
  findConfirmation(tx: Sql, tokenSha256: Buffer, lock = false): Promise<ConfirmationToken | null> {
    return tx.maybeOne(
      `SELECT c.id, c.mailbox_id, c.email, c.expires_at, c.used_at, mb.language,
              mb.notification_email
         FROM email_confirmations c JOIN mailboxes mb ON mb.id = c.mailbox_id
        WHERE c.token_sha256 = $1 ${lock ? 'FOR UPDATE OF c, mb' : ''}`,
      [tokenSha256],
      decodeToken,
    );
  }

  /**
   * Uses the token and confirms the address it was issued for, if the mailbox still has it.
   * The token is the credential here (the link is opened without a login), so no scope.
   */
  async confirm(tx: Sql, token: ConfirmationToken): Promise<void> {
    await tx.run('UPDATE email_confirmations SET used_at = now() WHERE id = $1', [token.id]);
    await tx.run(
      `UPDATE mailboxes SET email_confirmed = true
        WHERE id = $1 AND notification_email = $2`,
      [token.mailboxId, token.email],
    );
  }
}
