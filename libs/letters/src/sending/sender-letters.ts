import type { DataSource } from 'typeorm';
import { notFound } from '#errors';
import { SenderLettersStore, Sql, type SenderLetterRow, type SentRecipient } from '#stores';
import { logFeedPage } from '../cursor';
import { applyTransition } from '../letter-transitions';
import type { LetterUseCaseOptions } from '../use-case-options';
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
  /** The status reads (a letter, its receipts, the event feed): a replica when there is one. */
  private readonly shown: SenderLettersStore;

  constructor(
    private readonly db: DataSource,
    private readonly evidence?: LetterEvidence,
    private readonly options: LetterUseCaseOptions = {},
  ) {
    this.letters = new SenderLettersStore(new Sql(db));
    this.shown = options.reads ? new SenderLettersStore(options.reads) : this.letters;
  }

  get(agencyId: string, letterId: string): Promise<SenderLetterView> {
    return this.view(agencyId, letterId);
  }

  private async view(
    agencyId: string,
    letterId: string,
    stores?: SenderLettersStore[],
  ): Promise<SenderLetterView> {
    const { from, letter } = await this.holding(agencyId, letterId, stores);
    const timeline = await from.timelineOf(letterId);
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
   * The store that has the letter: the replica, else the primary (a letter accepted a moment
   * ago that the replica has not replayed yet), so a letter that exists is never "not found".
   */
  private async holding(
    agencyId: string,
    letterId: string,
    stores = [this.shown, this.letters],
  ): Promise<{ from: SenderLettersStore; letter: SenderLetterRow }> {
    for (const from of new Set(stores)) {
      const letter = await from.letterForAgency(agencyId, letterId);
      if (letter) return { from, letter };
    }
    throw notFound('letter');
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
    const { from } = await this.holding(agencyId, letterId);
    const rows = await from.receiptsOf(letterId);
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
    const applied = await this.db.transaction(async (m) => {
      const tx = new Sql(m);
      if (!(await this.letters.isOwnLetter(tx, agencyId, letterId))) throw notFound('letter');
      const moved = await applyTransition(m, letterId, 'withdraw');
      if (moved.changed) await this.letters.dropBytesIfWithdrawn(tx, letterId);
      return moved;
    });
    if (applied.changed) this.options.entered?.(applied.state);
    // The agency sees its own withdrawal at once, however far a replica lags.
    return this.view(agencyId, letterId, [this.letters]);
  }

  /** The agency's receipts in log order. `nextCursor` is always where to resume. */
  async events(
    agencyId: string,
    after: string | undefined,
    limit: number,
  ): Promise<{ items: EventItem[]; nextCursor: string }> {
    // A replica replays the log in commit order, and the sequencer commits in index order: a
    // lagging replica shows fewer entries, never a gap that a saved cursor would skip.
    return logFeedPage(after, async (from) =>
      (await this.shown.eventsAfter(agencyId, from, limit)).map((r) => ({
        id: r.receiptId,
        type: r.type,
        letterId: r.letterId,
        at: r.at.toISOString(),
        logIndex: r.logIndex,
      })),
    );
  }
}
