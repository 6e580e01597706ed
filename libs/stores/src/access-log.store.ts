import { v7 as uuidv7 } from 'uuid';
import type { AccessAction } from '#access';
import type { Sql } from './sql';

/** Who looked at a mailbox: an agency's lookup, an auditor's evidence request. */
export interface AccessActor {
  kind: string;
  id: string;
  name: string;
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

/**
 * The citizen's access log: every look at their mailbox by someone else, written in the
 * transaction of the look itself so that no look goes unrecorded. The citizen's paged read of
 * it belongs here too, beside the write.
 */
export class AccessLogStore {
  async record(tx: Sql, entry: AccessEntry): Promise<void> {
    await tx.run(
      `INSERT INTO access_log (id, mailbox_id, actor_kind, actor_id, actor_name, action, purpose, letter_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        uuidv7(),
        entry.mailboxId,
        entry.actor.kind,
        entry.actor.id,
        entry.actor.name,
        entry.action,
        entry.purpose,
        entry.letterId ?? null,
      ],
    );
  }
}
