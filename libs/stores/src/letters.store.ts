import { LETTER_STATES, type LetterState } from '#lifecycle';
import { bool, oneOf, text } from './columns';
import type { Sql } from './sql';

const state = oneOf(LETTER_STATES);

/** Columns set with a transition, beside `state`. */
export const TIMESTAMP_OF: Partial<Record<LetterState, string>> = {
  delivered: 'delivered_at',
  read: 'read_at',
  acknowledged: 'acknowledged_at',
};

/** Letters and their documents: the tables that change together as a letter moves. */
export class LettersStore {
  /** Locks the letter for a transition and reads what the lifecycle needs to decide it. */
  lockForTransition(
    tx: Sql,
    letterId: string,
  ): Promise<{ state: LetterState; requiresAcknowledgement: boolean } | null> {
    return tx.maybeOne(
      'SELECT state, requires_acknowledgement FROM letters WHERE id = $1 FOR UPDATE',
      [letterId],
      (r) => ({
        state: state(r, 'state'),
        requiresAcknowledgement: bool(r, 'requires_acknowledgement'),
      }),
    );
  }

  /** Moves the letter only while it is still `from`; the state's timestamp is set with it. */
  async moveState(
    tx: Sql,
    move: { letterId: string; from: LetterState; to: LetterState; at: Date },
  ): Promise<boolean> {
    const column = TIMESTAMP_OF[move.to];
    const moved = await tx.count(
      `UPDATE letters SET state = $2${column ? `, ${column} = $4` : ''}
        WHERE id = $1 AND state = $3`,
      column ? [move.letterId, move.to, move.from, move.at] : [move.letterId, move.to, move.from],
    );
    return moved > 0;
  }

  /**
   * Letters in the trash past the retention period lose their documents' bytes and leave the
   * mailbox; the rows and receipts stay as evidence. Returns how many were purged.
   */
  async purgeTrash(tx: Sql, retentionDays: number, limit: number): Promise<number> {
    const ids = await tx.rows(
      `SELECT id FROM letters
        WHERE folder = 'trash' AND purged_at IS NULL
          AND trashed_at < now() - make_interval(days => $1)
        ORDER BY trashed_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [retentionDays, limit],
      (r) => text(r, 'id'),
    );
    if (ids.length === 0) return 0;
    await tx.run('UPDATE documents SET sealed = NULL, received = NULL WHERE letter_id = ANY($1)', [
      ids,
    ]);
    await tx.run('UPDATE letters SET purged_at = now() WHERE id = ANY($1)', [ids]);
    return ids.length;
  }
}
