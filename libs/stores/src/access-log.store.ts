import { v7 as uuidv7 } from 'uuid';
import {
  ACCESS_ACTIONS,
  ACTING_ROLES,
  type AccessAction,
  type ActingRole,
  type MailboxScope,
} from '#access';
import { accessEntryHash, type AccessEntryRecord } from '#evidence';
import { bytes, date, int, nullable, oneOf, text } from './columns';
import type { Row, Sql } from './sql';

/**
 * Who looked at a mailbox: an agency's lookup or notice, an auditor's evidence request, or a
 * person acting for the mailbox (named by an HMAC ref, with the role they acted in).
 */
export interface AccessActor {
  kind: string;
  id: string;
  name: string;
  role?: ActingRole;
}

/** What an agency reported about the person's data in its own systems. */
export interface AccessNoticeFacts {
  dataCategory: string;
  legalBasis: string;
  occurredAt: Date;
  system?: string;
}

export interface AccessEntry {
  mailboxId: string;
  actor: AccessActor;
  action: AccessAction;
  /** The purpose the actor stated; the citizen reads it in their access log. */
  purpose: string;
  /** The letter looked at, when the look was at one letter (an auditor's evidence request). */
  letterId?: string;
  notice?: AccessNoticeFacts;
  /** Hidden from the citizen until `until` (an agency the operator allowed to withhold). */
  withheld?: { until: Date; reason: string };
  /** When it is recorded; now unless the caller's clock says otherwise. */
  at?: Date;
}

export interface AccessLogEntry {
  id: string;
  at: Date;
  actor: { kind: string; id: string; name: string; role: ActingRole | null };
  action: AccessAction;
  purpose: string;
  /** The letter the entry is about; `letter` names it while it is still there. */
  letterId: string | null;
  letter: { id: string; title: string } | null;
  notice: AccessNoticeFacts | null;
  withheld: { until: Date; reason: string } | null;
  logIndex: number | null;
  /** Whether a leaf was committed for it (entries written before leaves existed have none). */
  committed: boolean;
}

/** An entry waiting for its leaf, with what the leaf carries. */
export interface UnloggedEntry {
  id: string;
  at: Date;
  entrySha256: Buffer;
  recipientRef: string;
  /** When the citizen may see it: the end of its withholding, or null (at once). */
  visibleFrom: Date | null;
}

/** A withheld entry as an auditor sees it, with the agency's permission to withhold. */
export interface WithheldEntry extends AccessLogEntry {
  mailboxId: string;
  withholdingLegalBasis: string | null;
}

const accessAction = oneOf(ACCESS_ACTIONS);
const maybeText = nullable(text);
const maybeDate = nullable(date);
const actingRole = nullable(oneOf(ACTING_ROLES));

function decodeAccessLogEntry(r: Row): AccessLogEntry {
  const category = maybeText(r, 'data_category');
  const until = maybeDate(r, 'withheld_until');
  const system = maybeText(r, 'system');
  return {
    id: text(r, 'id'),
    at: date(r, 'at'),
    actor: {
      kind: text(r, 'actor_kind'),
      id: text(r, 'actor_id'),
      name: text(r, 'actor_name'),
      role: actingRole(r, 'actor_role'),
    },
    action: accessAction(r, 'action'),
    purpose: text(r, 'purpose'),
    letterId: maybeText(r, 'letter_id'),
    letter:
      r.letter_id && r.letter_title
        ? { id: text(r, 'letter_id'), title: text(r, 'letter_title') }
        : null,
    notice:
      category === null
        ? null
        : {
            dataCategory: category,
            legalBasis: text(r, 'legal_basis'),
            occurredAt: date(r, 'occurred_at'),
            ...(system === null ? {} : { system }),
          },
    withheld: until === null ? null : { until, reason: text(r, 'withhold_reason') },
    logIndex: nullable(int)(r, 'log_index'),
    committed: r.entry_sha256 !== null,
  };
}

/**
 * The entry as its leaf commits to it (AccessEntryRecord in #evidence); the letter is named by
 * id only, since its title goes when the letter is purged.
 */
export function accessEntryRecord(
  e: Pick<
    AccessLogEntry,
    'id' | 'at' | 'actor' | 'action' | 'purpose' | 'notice' | 'withheld' | 'letterId'
  >,
): AccessEntryRecord {
  return {
    id: e.id,
    at: e.at.toISOString(),
    actor: {
      kind: e.actor.kind,
      id: e.actor.id,
      name: e.actor.name,
      // Only where someone acted for the mailbox: other entries hash as they always have.
      ...(e.actor.role ? { role: e.actor.role } : {}),
    },
    action: e.action,
    purpose: e.purpose,
    ...(e.letterId ? { letterId: e.letterId } : {}),
    ...(e.notice
      ? {
          notice: {
            dataCategory: e.notice.dataCategory,
            legalBasis: e.notice.legalBasis,
            occurredAt: e.notice.occurredAt.toISOString(),
            ...(e.notice.system === undefined ? {} : { system: e.notice.system }),
          },
        }
      : {}),
    ...(e.withheld
      ? { withheld: { until: e.withheld.until.toISOString(), reason: e.withheld.reason } }
      : {}),
  };
}

const ENTRY_COLUMNS = `g.id, g.at, g.actor_kind, g.actor_id, g.actor_name, g.actor_role, g.action, g.purpose,
  g.letter_id, g.data_category, g.legal_basis, g.system, g.occurred_at, g.withheld_until,
  g.withhold_reason, g.log_index, g.entry_sha256`;

/** What the citizen sees: entries not withheld, or withheld until a time that has come. */
const VISIBLE = '(g.withheld_until IS NULL OR g.withheld_until <= $2::timestamptz)';

/**
 * The citizen's access log: every look at their mailbox by someone else and every notice an
 * agency sent, written in the transaction of the look itself so that no look goes unrecorded,
 * each with the hash its transparency-log leaf will commit to; read back a page at a time.
 */
export class AccessLogStore {
  async record(tx: Sql, entry: AccessEntry): Promise<string> {
    const [id] = await this.recordMany(tx, [entry]);
    return id!;
  }

  /** Many entries in one statement (a request of a thousand notices); returns their ids. */
  async recordMany(tx: Sql, entries: readonly AccessEntry[]): Promise<string[]> {
    if (entries.length === 0) return [];
    const rows = entries.map((entry) => {
      const id = uuidv7();
      // Milliseconds, as the hash has it: a database default would keep microseconds.
      const at = new Date((entry.at ?? new Date()).getTime());
      const record = accessEntryRecord({
        id,
        at,
        actor: { ...entry.actor, role: entry.actor.role ?? null },
        action: entry.action,
        purpose: entry.purpose,
        letterId: entry.letterId ?? null,
        notice: entry.notice ?? null,
        withheld: entry.withheld ?? null,
      });
      return { id, at, entry, hash: Buffer.from(accessEntryHash(record), 'base64url') };
    });
    const column = <T>(pick: (row: (typeof rows)[number]) => T) => rows.map(pick);
    await tx.run(
      `INSERT INTO access_log (id, mailbox_id, at, actor_kind, actor_id, actor_name, action, purpose,
                               letter_id, data_category, legal_basis, system, occurred_at,
                               withheld_until, withhold_reason, entry_sha256, actor_role)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::timestamptz[], $4::text[], $5::text[],
                            $6::text[], $7::text[], $8::text[], $9::uuid[], $10::text[], $11::text[],
                            $12::text[], $13::timestamptz[], $14::timestamptz[], $15::text[],
                            $16::bytea[], $17::text[])`,
      [
        column((r) => r.id),
        column((r) => r.entry.mailboxId),
        column((r) => r.at),
        column((r) => r.entry.actor.kind),
        column((r) => r.entry.actor.id),
        column((r) => r.entry.actor.name),
        column((r) => r.entry.action),
        column((r) => r.entry.purpose),
        column((r) => r.entry.letterId ?? null),
        column((r) => r.entry.notice?.dataCategory ?? null),
        column((r) => r.entry.notice?.legalBasis ?? null),
        column((r) => r.entry.notice?.system ?? null),
        column((r) => r.entry.notice?.occurredAt ?? null),
        column((r) => r.entry.withheld?.until ?? null),
        column((r) => r.entry.withheld?.reason ?? null),
        column((r) => r.hash),
        column((r) => r.entry.actor.role ?? null),
      ],
    );
    return rows.map((r) => r.id);
  }

  /**
   * What the citizen may see, newest first (limit + 1 rows: the caller sees whether there is
   * more); the letter looked at is named while it is still there, and only to a scope that may
   * see it (a confidential letter's title is not shown without confidential access).
   */
  page(
    sql: Sql,
    scope: MailboxScope,
    limit: number,
    after: readonly [string, string] | null,
    now: Date,
  ): Promise<AccessLogEntry[]> {
    return sql.rows(
      `SELECT ${ENTRY_COLUMNS}, l.title AS letter_title
         FROM access_log g LEFT JOIN letters l ON l.id = g.letter_id AND l.mailbox_id = g.mailbox_id
             ${scope.confidential ? '' : 'AND NOT l.confidential'}
        WHERE g.mailbox_id = $1 AND ${VISIBLE}
          ${after ? 'AND (g.at, g.id) < ($4::timestamptz, $5::uuid)' : ''}
        ORDER BY g.at DESC, g.id DESC LIMIT $3`,
      after
        ? [scope.mailboxId, now, limit + 1, after[0], after[1]]
        : [scope.mailboxId, now, limit + 1],
      decodeAccessLogEntry,
    );
  }

  /** One entry the citizen may see, or null. */
  visibleEntry(
    sql: Sql,
    scope: MailboxScope,
    id: string,
    now: Date,
  ): Promise<AccessLogEntry | null> {
    return sql.maybeOne(
      `SELECT ${ENTRY_COLUMNS}, NULL AS letter_title FROM access_log g
        WHERE g.mailbox_id = $1 AND ${VISIBLE} AND g.id = $3`,
      [scope.mailboxId, now, id],
      decodeAccessLogEntry,
    );
  }

  /** Any entry, withheld or not, for an auditor. */
  entryById(sql: Sql, id: string): Promise<AccessLogEntry | null> {
    return sql.maybeOne(
      `SELECT ${ENTRY_COLUMNS}, NULL AS letter_title FROM access_log g WHERE g.id = $1`,
      [id],
      decodeAccessLogEntry,
    );
  }

  /** Every entry the citizen may see, oldest first, for their evidence. */
  visibleEntries(sql: Sql, scope: MailboxScope, now: Date): Promise<AccessLogEntry[]> {
    return sql.rows(
      `SELECT ${ENTRY_COLUMNS}, NULL AS letter_title FROM access_log g
        WHERE g.mailbox_id = $1 AND ${VISIBLE} ORDER BY g.at, g.id`,
      [scope.mailboxId, now],
      decodeAccessLogEntry,
    );
  }

  /** Entries whose leaf is not in the log yet, oldest first, for the sequencer. */
  unlogged(tx: Sql, limit: number): Promise<UnloggedEntry[]> {
    return tx.rows(
      `SELECT g.id, g.at, g.entry_sha256, g.withheld_until, mb.recipient_ref
         FROM access_log g JOIN mailboxes mb ON mb.id = g.mailbox_id
        WHERE g.log_index IS NULL AND g.entry_sha256 IS NOT NULL
        ORDER BY g.at, g.id LIMIT $1`,
      [limit],
      (r) => ({
        id: text(r, 'id'),
        at: date(r, 'at'),
        entrySha256: bytes(r, 'entry_sha256'),
        recipientRef: text(r, 'recipient_ref'),
        visibleFrom: maybeDate(r, 'withheld_until'),
      }),
    );
  }

  async markLogged(tx: Sql, logged: readonly { id: string; logIndex: number }[]): Promise<void> {
    await tx.run(
      `UPDATE access_log g SET log_index = v.log_index
         FROM unnest($1::uuid[], $2::bigint[]) AS v(id, log_index) WHERE g.id = v.id`,
      [logged.map((l) => l.id), logged.map((l) => l.logIndex)],
    );
  }

  /** Withheld entries, released or not, in order of their end, for auditors. */
  withheld(
    sql: Sql,
    limit: number,
    after: readonly [string, string] | null,
  ): Promise<WithheldEntry[]> {
    return sql.rows(
      `SELECT ${ENTRY_COLUMNS}, NULL AS letter_title, g.mailbox_id, a.withholding_legal_basis
         FROM access_log g
         LEFT JOIN agencies a ON g.actor_kind = 'agency' AND a.id::text = g.actor_id
        WHERE g.withheld_until IS NOT NULL
          ${after ? 'AND (g.withheld_until, g.id) > ($2::timestamptz, $3::uuid)' : ''}
        ORDER BY g.withheld_until, g.id LIMIT $1`,
      after ? [limit + 1, after[0], after[1]] : [limit + 1],
      (r) => ({
        ...decodeAccessLogEntry(r),
        mailboxId: text(r, 'mailbox_id'),
        withholdingLegalBasis: maybeText(r, 'withholding_legal_basis'),
      }),
    );
  }
}
