import type { DataSource } from 'typeorm';
import type { SignedTreeHead } from '#evidence';
import { notFound } from '#errors';
import { AccessLogStore, ReceiptsStore, SenderLettersStore, Sql } from '#stores';
import type { Actor } from '../sending/recipient-lookup';
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
  private readonly sql: Sql;
  private readonly receipts: ReceiptsStore;
  private readonly letters: SenderLettersStore;
  private readonly accessLog = new AccessLogStore();

  constructor(
    db: DataSource,
    private readonly log: ReceiptLog,
  ) {
    this.sql = new Sql(db);
    this.receipts = new ReceiptsStore(this.sql);
    this.letters = new SenderLettersStore(this.sql);
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
    const mailboxId = await this.letters.mailboxOfLetter(letterId);
    if (mailboxId === null) throw notFound('letter');
    await this.accessLog.record(this.sql, {
      mailboxId,
      actor: auditor,
      action: 'audit.letter_evidence',
      purpose,
      letterId,
    });
    const { treeHead, receipts } = await this.proofs(letterId);
    return { treeHead, receipts };
  }
}
