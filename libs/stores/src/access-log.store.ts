import { v7 as uuidv7 } from 'uuid';
import {
  ACCESS_ACTIONS,
  ACTING_ROLES,
  type AccessAction,
  type ActingRole,
  type MailboxScope,
} from '#access';
import { date, nullable, oneOf, text } from './columns';
import type { Row, Sql } from './sql';

/**
 * Who looked at a mailbox: an agency's lookup, an auditor's evidence request, or a person acting
 * for the mailbox (named by an HMAC ref, with the role they acted in).
 */
export interface AccessActor {
  kind: string;
  id: string;
  name: string;
  role?: ActingRole;
}

export interface AccessEntry {
  mailboxId: string;
  actor: AccessActor;
  action: AccessAction;
  /** The purpose the actor stated; the citizen reads it in their access log. */
  purpose: string;
  /** The letter looked at, when the look was at one letter (an auditor's evidence request). */
  letterId?: string;
}

export interface AccessLogEntry {
  id: string;
  at: Date;
  actor: { kind: string; id: string; name: string; role: ActingRole | null };
  action: AccessAction;
  purpose: string;
  letter: { id: string; title: string } | null;
}

const accessAction = oneOf(ACCESS_ACTIONS);
const actingRole = nullable(oneOf(ACTING_ROLES));

function decodeAccessLogEntry(r: Row): AccessLogEntry {
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
    letter:
      r.letter_id && r.letter_title
        ? { id: text(r, 'letter_id'), title: text(r, 'letter_title') }
        : null,
  };
}

/**
 * The citizen's access log: every look at their mailbox by someone else, written in the
 * transaction of the look itself so that no look goes unrecorded, and read back a page at a
 * time for the citizen.
 */
export class AccessLogStore {
  async record(tx: Sql, entry: AccessEntry): Promise<void> {
    await tx.run(
      `INSERT INTO access_log (id, mailbox_id, actor_kind, actor_id, actor_name, action, purpose,
         letter_id, actor_role)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        uuidv7(),
        entry.mailboxId,
        entry.actor.kind,
        entry.actor.id,
        entry.actor.name,
        entry.action,
        entry.purpose,
        entry.letterId ?? null,
        entry.actor.role ?? null,
      ],
    );
  }

  /**
   * Who looked the citizen up, newest first (limit + 1 rows: the caller sees whether there is
   * more); the letter looked at is named while it is still there, and only to a scope that may
   * see it (a confidential letter's title is not shown without confidential access).
   */
  page(
    sql: Sql,
    scope: MailboxScope,
    limit: number,
    after: readonly [string, string] | null,
  ): Promise<AccessLogEntry[]> {
    return sql.rows(
      `SELECT g.id, g.at, g.actor_kind, g.actor_id, g.actor_name, g.actor_role, g.action, g.purpose,
              g.letter_id, l.title AS letter_title
         FROM access_log g LEFT JOIN letters l ON l.id = g.letter_id AND l.mailbox_id = g.mailbox_id
             ${scope.confidential ? '' : 'AND NOT l.confidential'}
        WHERE g.mailbox_id = $1 ${after ? 'AND (g.at, g.id) < ($3::timestamptz, $4::uuid)' : ''}
        ORDER BY g.at DESC, g.id DESC LIMIT $2`,
      after ? [scope.mailboxId, limit + 1, after[0], after[1]] : [scope.mailboxId, limit + 1],
      decodeAccessLogEntry,
    );
  }
}
