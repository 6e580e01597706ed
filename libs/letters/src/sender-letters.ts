import type { DataSource } from 'typeorm';
import { notFound } from '#errors';
import { decodeCursor, encodeCursor } from './cursor';
import { applyTransition } from './letter-transitions';
import type { LetterEvidence } from './log/letter-evidence';
import type { InclusionProofView } from './log/receipt-log';
import type { StagedReceipt } from './receipt-staging';

export interface SenderLetterView {
  id: string;
  state: string;
  title: string;
  senderReference: string | null;
  createdAt: string;
  timeline: { type: string; at: string }[];
}

export interface EventItem {
  id: string;
  type: string;
  letterId: string;
  at: string;
  logIndex: number;
}

/**
 * What an agency sees of the letters it sent. Scoped by agency in every query: another agency's
 * letter is "not found".
 */
export class SenderLetters {
  constructor(
    private readonly db: DataSource,
    private readonly evidence?: LetterEvidence,
  ) {}

  async get(agencyId: string, letterId: string): Promise<SenderLetterView> {
    const [letter] = (await this.db.query(
      `SELECT id, state, title, sender_reference, created_at FROM letters WHERE id = $1 AND agency_id = $2`,
      [letterId, agencyId],
    )) as {
      id: string;
      state: string;
      title: string;
      sender_reference: string | null;
      created_at: Date;
    }[];
    if (!letter) throw notFound('letter');
    const timeline = (await this.db.query(
      `SELECT type, at FROM receipts WHERE letter_id = $1 ORDER BY at, staged_seq`,
      [letterId],
    )) as { type: string; at: Date }[];
    return {
      id: letter.id,
      state: letter.state,
      title: letter.title,
      senderReference: letter.sender_reference,
      createdAt: letter.created_at.toISOString(),
      timeline: timeline.map((t) => ({ type: t.type, at: t.at.toISOString() })),
    };
  }

  /**
   * The letter's receipts: once sequenced with their JWS, and once a signed tree head covers
   * them with an inclusion proof against it.
   */
  async receipts(
    agencyId: string,
    letterId: string,
  ): Promise<{
    items: (StagedReceipt & { jws?: string; inclusionProof?: InclusionProofView | null })[];
  }> {
    await this.get(agencyId, letterId);
    const rows = (await this.db.query(
      `SELECT r.payload, r.log_index, g.jws FROM receipts r
         LEFT JOIN receipt_log g ON g.log_index = r.log_index AND g.receipt_id = r.id
        WHERE r.letter_id = $1 ORDER BY r.staged_seq`,
      [letterId],
    )) as {
      payload: Omit<StagedReceipt, 'logIndex'>;
      log_index: string | null;
      jws: string | null;
    }[];
    const proofs = this.evidence ? (await this.evidence.proofs(letterId)).byIndex : new Map();
    return {
      items: rows.map((r) => {
        const logIndex = r.log_index === null ? null : Number(r.log_index);
        return {
          ...r.payload,
          logIndex,
          ...(r.jws ? { jws: r.jws, inclusionProof: proofs.get(logIndex) ?? null } : {}),
        };
      }),
    };
  }

  async withdraw(agencyId: string, letterId: string): Promise<SenderLetterView> {
    await this.db.transaction(async (m) => {
      const [own] = (await m.query('SELECT 1 FROM letters WHERE id = $1 AND agency_id = $2', [
        letterId,
        agencyId,
      ])) as unknown[];
      if (!own) throw notFound('letter');
      const applied = await applyTransition(m, letterId, 'withdraw');
      if (applied.changed) {
        // Nothing of a withdrawn letter is kept but its hashes in the receipts.
        await m.query('UPDATE documents SET received = NULL, sealed = NULL WHERE letter_id = $1', [
          letterId,
        ]);
      }
    });
    return this.get(agencyId, letterId);
  }

  /** The agency's receipts in log order. `nextCursor` is always where to resume. */
  async events(
    agencyId: string,
    after: string | undefined,
    limit: number,
  ): Promise<{ items: EventItem[]; nextCursor: string }> {
    const start = decodeCursor(after, ['logIndex'], 'after');
    const from = start ? start[0] : -1;
    const rows = (await this.db.query(
      `SELECT receipt_id, type, letter_id, at, log_index FROM receipt_log
        WHERE agency_id = $1 AND log_index > $2 ORDER BY log_index LIMIT $3`,
      [agencyId, from, limit],
    )) as { receipt_id: string; type: string; letter_id: string; at: Date; log_index: string }[];
    const items = rows.map((r) => ({
      id: r.receipt_id,
      type: r.type,
      letterId: r.letter_id,
      at: r.at.toISOString(),
      logIndex: Number(r.log_index),
    }));
    const last = items.length > 0 ? items[items.length - 1].logIndex : from;
    return { items, nextCursor: encodeCursor([last]) };
  }
}
