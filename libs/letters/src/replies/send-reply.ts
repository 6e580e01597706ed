import { v7 as uuidv7 } from 'uuid';
import type { DataSource } from 'typeorm';
import { mailboxToWrite, type MailboxScope } from '#access';
import type { OpenPgpLimits } from '#crypto';
import { parseReceiptPayload, type ReceiptType } from '#evidence';
import { DomainError, invalid, notFound } from '#errors';
import {
  AccessLogStore,
  AgenciesStore,
  MailboxLettersStore,
  MailboxesStore,
  ReceiptsStore,
  RepliesStore,
  Sql,
  type AgencyEncryptionKey,
} from '#stores';
import { delegateEntry } from '../mailbox/delegate-trace';
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
 * A citizen's reply to a letter, or new message to an agency (issue 18): encrypted to the agency's current key, checked for
 * form, stored as received with two receipts in the letter's log, `replied` for the sender's
 * timeline and `reply_received`, the citizen's proof of when it reached the agency. Written
 * through a scope that may write; the reply records on what footing it was written.
 */
export class SendReply {
  private readonly sql: Sql;
  private readonly letters: MailboxLettersStore;
  private readonly agencies: AgenciesStore;
  private readonly mailboxes: MailboxesStore;
  private readonly replies = new RepliesStore();

  constructor(
    db: DataSource,
    private readonly limits: OpenPgpLimits,
  ) {
    this.sql = new Sql(db);
    this.letters = new MailboxLettersStore(this.sql);
    this.agencies = new AgenciesStore(this.sql);
    this.mailboxes = new MailboxesStore(this.sql);
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

  /** A new message to an agency that takes them, on one of its topics (no letter answered). */
  async toAgency(
    scope: MailboxScope,
    message: { agencyId: string; topic: string; documents: readonly ReplyDocumentSubmission[] },
  ): Promise<SentReply> {
    mailboxToWrite(scope);
    const agency = await this.agencies.listing(message.agencyId);
    if (!agency) throw notFound('agency');
    if (!agency.acceptsMessages || !agency.encryptionKey)
      throw closed(
        'message.not_accepted',
        `${agency.name} takes no new messages here; answer one of its letters instead`,
      );
    if (!agency.topics.includes(message.topic))
      throw invalid(
        'message.unknown_topic',
        `topic: ${agency.name} takes messages on ${agency.topics.join(', ')}, not ${message.topic}`,
        { field: 'topic' },
      );
    const checked = await checkReplyDocuments(message.documents, agency.encryptionKey, this.limits);
    return this.store(
      scope,
      { agencyId: agency.id, letterId: null, topic: message.topic },
      agency.encryptionKey,
      checked,
    );
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
    target: { agencyId: string; letterId: string | null; topic: string | null },
    key: AgencyEncryptionKey,
    documents: CheckedReplyDocument[],
  ): Promise<SentReply> {
    const id = uuidv7();
    const receivedReceiptId = uuidv7();
    return this.sql.transaction(async (tx) => {
      const receipts = new ReceiptsStore(tx);
      // A message starts a thread of its own: its receipts are filed under its id.
      const thread = target.letterId ?? id;
      const recipientRef = await this.mailboxes.recipientRefOf(scope, tx);
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
          letterId: thread,
          type,
          at,
          agencyId: target.agencyId,
          recipientRef,
          documents: documents.map((d) => ({ ciphertextSha256: d.sha256.toString('hex') })),
          replyId: id,
        };
        const { logIndex: _, ...checked } = parseReceiptPayload({ ...value, logIndex: 0 });
        return checked;
      };
      // The reply's id is the receipts' kind: a letter has one pair per reply. A message has
      // no letter to be `replied` on, only the writer's receipt.
      const types: [ReceiptType, string][] = [['reply_received', receivedReceiptId]];
      // A delegate's reply is in the mailbox's access log, as their other actions are.
      const traced = delegateEntry(scope, 'mailbox.reply_sent', target.letterId ?? undefined);
      if (traced) await new AccessLogStore().record(tx, traced);
      if (target.letterId) types.unshift(['replied', uuidv7()]);
      for (const [type, receiptId] of types)
        await receipts.stage(tx, {
          id: receiptId,
          letterId: thread,
          agencyId: target.agencyId,
          type,
          kind: id,
          payload: payload(type),
        });
      return { id, receipt: { ...payload('reply_received'), logIndex: null } };
    });
  }
}
