import type { DataSource } from 'typeorm';
import { notFound } from '#errors';
import { SenderLettersStore, Sql, type SentRecipient } from '#stores';
import { decodeCursor, encodeCursor } from '../cursor';
import { applyTransition } from '../letter-transitions';
import type { LetterEvidence } from '../receipts/letter-evidence';
import type { InclusionProofView } from '../receipts/receipt-log';
import type { StagedReceipt } from '../receipts/receipt-staging';

export interface SenderLetterView {
  id: string;
  state: string;
  title: string;
  senderReference: string | null;
  recipient: SentRecipient;
  confidential: boolean;
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
  private readonly letters: SenderLettersStore;

  constructor(
    private readonly db: DataSource,
    private readonly evidence?: LetterEvidence,
  ) {
    this.letters = new SenderLettersStore(new Sql(db));
  }

  async get(agencyId: string, letterId: string): Promise<SenderLetterView> {
    const letter = await this.letters.letterForAgency(agencyId, letterId);
    if (!letter) throw notFound('letter');
    const timeline = await this.letters.timelineOf(letterId);
    return {
      id: letter.id,
      state: letter.state,
      title: letter.title,
      senderReference: letter.senderReference,
      recipient: letter.recipient,
      confidential: letter.confidential,
      createdAt: letter.createdAt.toISOString(),
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
    const rows = await this.letters.receiptsOf(letterId);
    const proofs = this.evidence ? (await this.evidence.proofs(letterId)).byIndex : new Map();
    return {
      items: rows.map((r) => ({
        ...r.payload,
        logIndex: r.logIndex,
        ...(r.jws ? { jws: r.jws, inclusionProof: proofs.get(r.logIndex) ?? null } : {}),
      })),
    };
  }

  async withdraw(agencyId: string, letterId: string): Promise<SenderLetterView> {
    await this.db.transaction(async (m) => {
      const tx = new Sql(m);
      if (!(await this.letters.isOwnLetter(tx, agencyId, letterId))) throw notFound('letter');
      const applied = await applyTransition(m, letterId, 'withdraw');
      if (applied.changed) await this.letters.dropBytesIfWithdrawn(tx, letterId);
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
    const items = (await this.letters.eventsAfter(agencyId, from, limit)).map((r) => ({
      id: r.receiptId,
      type: r.type,
      letterId: r.letterId,
      at: r.at.toISOString(),
      logIndex: r.logIndex,
    }));
    const last = items.length > 0 ? items[items.length - 1].logIndex : from;
    return { items, nextCursor: encodeCursor([last]) };
  }
}
