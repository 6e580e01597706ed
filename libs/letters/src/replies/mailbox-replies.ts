import type { DataSource } from 'typeorm';
import type { MailboxScope } from '#access';
import type { SignedTreeHead } from '#evidence';
import { notFound } from '#errors';
import { MailboxLettersStore, RepliesStore, Sql, type MailboxReply } from '#stores';
import { decodeCursor, encodeCursor } from '../cursor';
import type { InclusionProofView, ReceiptLog } from '../receipts/receipt-log';
import type { StagedReceipt } from '../receipts/receipt-staging';

/** The citizen's receipt for a reply, with what verifies it offline once the log has it. */
export interface ReplyReceiptView extends StagedReceipt {
  jws: string | null;
  inclusionProof: InclusionProofView | null;
  treeHead: SignedTreeHead | null;
}

export interface MailboxReplyView {
  id: string;
  letterId: string | null;
  topic: string | null;
  agency: { id: string; name: string };
  at: string;
  writtenAs: string;
  documents: { id: string; filename: string; mediaType: string; size: number; sha256: string }[];
  receipt: ReplyReceiptView;
}

/**
 * A letter's replies as the mailbox that wrote them sees them, each with its `reply_received`
 * receipt: the JWS, an inclusion proof and the signed tree head it leads to, which
 * `npm run cli -- evidence verify-receipt` checks offline.
 */
export class MailboxReplies {
  private readonly sql: Sql;
  private readonly letters: MailboxLettersStore;
  private readonly replies = new RepliesStore();

  constructor(
    db: DataSource,
    private readonly log: ReceiptLog,
  ) {
    this.sql = new Sql(db);
    this.letters = new MailboxLettersStore(this.sql);
  }

  async ofLetter(scope: MailboxScope, letterId: string): Promise<{ items: MailboxReplyView[] }> {
    if (!(await this.letters.letterInScope(scope, letterId))) throw notFound('letter');
    return this.views(await this.replies.toLetter(this.sql, scope, letterId));
  }

  /** One reply or message the mailbox sent, with its receipt: "the reply's own route". */
  async one(scope: MailboxScope, replyId: string): Promise<MailboxReplyView> {
    const row = await this.replies.ofMailbox(this.sql, scope, replyId);
    if (!row) throw notFound('reply');
    return this.view(row, row.receipt.logIndex === null ? null : await this.log.latestHead());
  }

  /** The "Sent" folder: replies and messages, newest first. */
  async sent(
    scope: MailboxScope,
    limit: number,
    cursor?: string,
  ): Promise<{ items: MailboxReplyView[]; nextCursor: string | null }> {
    const after = decodeCursor(cursor, ['timestamp', 'uuid']);
    const rows = await this.replies.sentBy(this.sql, scope, limit, after);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    const { items } = await this.views(page);
    return {
      items,
      nextCursor:
        rows.length > limit && last ? encodeCursor([last.at.toISOString(), last.id]) : null,
    };
  }

  private async views(rows: MailboxReply[]): Promise<{ items: MailboxReplyView[] }> {
    const head = rows.some((r) => r.receipt.logIndex !== null) ? await this.log.latestHead() : null;
    const items = [];
    for (const row of rows) items.push(await this.view(row, head));
    return { items };
  }

  private async view(r: MailboxReply, head: SignedTreeHead | null): Promise<MailboxReplyView> {
    const index = r.receipt.logIndex;
    const covered = head !== null && index !== null && index < head.treeSize;
    return {
      id: r.id,
      letterId: r.letterId,
      topic: r.topic,
      agency: r.agency,
      at: r.at.toISOString(),
      writtenAs: r.actorRole,
      documents: r.documents,
      receipt: {
        ...r.receipt.payload,
        logIndex: index,
        jws: r.receipt.jws,
        inclusionProof: covered ? await this.log.inclusionProof(index, head.treeSize) : null,
        treeHead: covered ? head : null,
      },
    };
  }
}
