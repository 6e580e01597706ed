import { v7 as uuidv7 } from 'uuid';
import type { DataSource } from 'typeorm';
import type { MailboxScope } from '#access';
import type { OpenPgpLimits } from '#crypto';
import { parseReceiptPayload, type ReceiptType } from '#evidence';
import { DomainError, notFound } from '#errors';
import {
  AgenciesStore,
  MailboxLettersStore,
  ReceiptsStore,
  RepliesStore,
  Sql,
  type AgencyEncryptionKey,
} from '#stores';
import type { StagedReceipt } from '../receipts/receipt-staging';
import { checkReplyDocuments, type CheckedReplyDocument } from './reply-checks';
import type { ReplyDocumentSubmission } from './reply-schema';

export interface SentReply {
  id: string;
  /** The citizen's `reply_received` receipt as staged; signed into the log within a second. */
  receipt: StagedReceipt;
}

const closed = (code: string, detail: string) => new DomainError(409, code, detail);

/**
 * A citizen's reply to a letter (issue 18): encrypted to the agency's current key, checked for
 * form, stored as received with two receipts in the letter's log, `replied` for the sender's
 * timeline and `reply_received`, the citizen's proof of when it reached the agency. Written
 * through a scope that may write; the reply records on what footing it was written.
 */
export class SendReply {
  private readonly sql: Sql;
  private readonly letters: MailboxLettersStore;
  private readonly agencies: AgenciesStore;
  private readonly replies = new RepliesStore();

  constructor(
    db: DataSource,
    private readonly limits: OpenPgpLimits,
  ) {
    this.sql = new Sql(db);
    this.letters = new MailboxLettersStore(this.sql);
    this.agencies = new AgenciesStore(this.sql);
  }

  async toLetter(
    scope: MailboxScope,
    letterId: string,
    documents: readonly ReplyDocumentSubmission[],
    now = new Date(),
  ): Promise<SentReply> {
    const letter = await this.letters.letterToChange(this.sql, scope, letterId);
    if (!letter) throw notFound('letter');
    if (!letter.replies.allowed)
      throw closed('reply.not_allowed', `${letter.sender.name} takes no replies to this letter`);
    const until = letter.replies.until;
    if (until && now.getTime() > until.getTime())
      throw closed(
        'reply.closed',
        `Replies to this letter were taken until ${until.toISOString()}; contact ${letter.sender.name} another way`,
      );
    const key = await this.keyOf(letter.sender.id, letter.sender.name);
    const checked = await checkReplyDocuments(documents, key, this.limits);
    return this.store(scope, { agencyId: letter.sender.id, letterId, topic: null }, key, checked);
  }

  private async keyOf(agencyId: string, name: string): Promise<AgencyEncryptionKey> {
    const listing = await this.agencies.listing(agencyId);
    if (!listing?.encryptionKey)
      throw closed(
        'reply.agency_cannot_receive',
        `${name} has no encryption key registered, so nothing can be sent to it encrypted`,
      );
    return listing.encryptionKey;
  }

  private store(
    scope: MailboxScope,
    target: { agencyId: string; letterId: string; topic: string | null },
    key: AgencyEncryptionKey,
    documents: CheckedReplyDocument[],
  ): Promise<SentReply> {
    const id = uuidv7();
    const receivedReceiptId = uuidv7();
    return this.sql.transaction(async (tx) => {
      const receipts = new ReceiptsStore(tx);
      const facts = await receipts.factsOfLetter(tx, target.letterId);
      await this.replies.insert(
        tx,
        {
          id,
          agencyId: target.agencyId,
          mailboxId: scope.mailboxId,
          letterId: target.letterId,
          topic: target.topic,
          actorRole: scope.role,
          encryptionKeyFingerprint: key.fingerprint,
          receivedReceiptId,
        },
        documents.map((d, position) => ({ id: uuidv7(), position, ...d })),
      );
      const at = new Date().toISOString();
      const payload = (type: ReceiptType) => {
        const value = {
          letterId: target.letterId,
          type,
          at,
          agencyId: target.agencyId,
          recipientRef: facts.recipientRef,
          documents: documents.map((d) => ({ ciphertextSha256: d.sha256.toString('hex') })),
          replyId: id,
        };
        const { logIndex: _, ...checked } = parseReceiptPayload({ ...value, logIndex: 0 });
        return checked;
      };
      // The reply's id is the receipts' kind: a letter has one pair per reply.
      for (const [type, receiptId] of [
        ['replied', uuidv7()],
        ['reply_received', receivedReceiptId],
      ] as const)
        await receipts.stage(tx, {
          id: receiptId,
          letterId: target.letterId,
          agencyId: target.agencyId,
          type,
          kind: id,
          payload: payload(type),
        });
      return { id, receipt: { ...payload('reply_received'), logIndex: null } };
    });
  }
}
