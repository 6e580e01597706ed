import type { DataSource } from 'typeorm';
import type { SignedTreeHead } from '#evidence';
import { notFound } from '#errors';
import { ReceiptsStore, Sql } from '#stores';
import { recordAccess, type Actor } from '../recipient-lookup';
import type { InclusionProofView, ReceiptLog } from './receipt-log';

export interface EvidenceView {
  treeHead: SignedTreeHead | null;
  receipts: { jws: string; inclusionProof: InclusionProofView | null }[];
}

/**
 * A letter's receipts as signed log entries, each with an inclusion proof against the latest
 * signed tree head (null until a head covers it). What an auditor checks offline.
 */
export class LetterEvidence {
  private readonly receipts: ReceiptsStore;

  constructor(
    private readonly db: DataSource,
    private readonly log: ReceiptLog,
  ) {
    this.receipts = new ReceiptsStore(new Sql(db));
  }

  /** Proofs for the entries of one letter, keyed by log index. */
  async proofs(
    letterId: string,
  ): Promise<EvidenceView & { byIndex: Map<number, InclusionProofView | null> }> {
    const rows = await this.receipts.entriesOfLetter(letterId);
    const head = await this.log.latestHead();
    const byIndex = new Map<number, InclusionProofView | null>();
    const receipts = [];
    for (const row of rows) {
      const index = row.index;
      const proof =
        head && index < head.treeSize ? await this.log.inclusionProof(index, head.treeSize) : null;
      byIndex.set(index, proof);
      receipts.push({ jws: row.jws, inclusionProof: proof });
    }
    return { treeHead: head, receipts, byIndex };
  }

  /** An auditor's view of a letter; written to the recipient's access log. */
  async forAuditor(auditor: Actor, letterId: string, purpose: string): Promise<EvidenceView> {
    const [letter] = (await this.db.query('SELECT mailbox_id FROM letters WHERE id = $1', [
      letterId,
    ])) as {
      mailbox_id: string;
    }[];
    if (!letter) throw notFound('letter');
    await recordAccess(
      this.db,
      letter.mailbox_id,
      auditor,
      'audit.letter_evidence',
      purpose,
      letterId,
    );
    const { treeHead, receipts } = await this.proofs(letterId);
    return { treeHead, receipts };
  }
}
