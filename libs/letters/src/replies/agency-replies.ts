import type { DataSource } from 'typeorm';
import { notFound } from '#errors';
import { RepliesStore, Sql, type AgencyReply } from '#stores';
import { logFeedPage } from '../cursor';

export interface AgencyReplyView {
  id: string;
  letterId: string | null;
  topic: string | null;
  at: string;
  /** On what footing the writer acted for the mailbox: owner, grantee, guardian, ... */
  writtenAs: string;
  /** The agency key it is encrypted to (its fingerprint). */
  encryptionKey: string;
  logIndex: number;
  documents: { id: string; filename: string; mediaType: string; size: number; sha256: string }[];
}

const view = (r: AgencyReply): AgencyReplyView => ({
  id: r.id,
  letterId: r.letterId,
  topic: r.topic,
  at: r.at.toISOString(),
  writtenAs: r.actorRole,
  encryptionKey: r.encryptionKeyFingerprint,
  logIndex: r.logIndex,
  documents: r.documents,
});

/**
 * What citizens sent an agency, as the agency collects it: a feed in log order with a cursor
 * that is always set (as the event feed's), and each reply with its ciphertext.
 */
export class AgencyReplies {
  private readonly sql: Sql;
  private readonly replies = new RepliesStore();

  constructor(db: DataSource) {
    this.sql = new Sql(db);
  }

  async feed(
    agencyId: string,
    after: string | undefined,
    limit: number,
  ): Promise<{ items: AgencyReplyView[]; nextCursor: string }> {
    return logFeedPage(after, async (from) =>
      (await this.replies.feed(this.sql, agencyId, from, limit)).map(view),
    );
  }

  /** One reply with each document's OpenPGP message (base64 of the binary form). */
  async get(
    agencyId: string,
    replyId: string,
  ): Promise<AgencyReplyView & { documents: { content: string }[] }> {
    const reply = await this.replies.ofAgency(this.sql, agencyId, replyId);
    if (!reply) throw notFound('reply');
    const contents = new Map(
      (await this.replies.contentOf(this.sql, replyId)).map((d) => [d.id, d.content]),
    );
    const base = view(reply);
    return {
      ...base,
      documents: base.documents.map((d) => ({
        ...d,
        content: (contents.get(d.id) ?? Buffer.alloc(0)).toString('base64'),
      })),
    };
  }
}
