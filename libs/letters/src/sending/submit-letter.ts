import { v7 as uuidv7 } from 'uuid';
import type { DataSource, EntityManager } from 'typeorm';
import type { DecodedBase64, OpenPgpLimits } from '#crypto';
import { DomainError, idempotencyKeyBusy, invalid } from '#errors';
import { jobIdFor, type Outbox } from '#queue';
import {
  RepliesStore,
  SenderLettersStore,
  Sql,
  type AcceptedLetter,
  type StagedJob,
} from '#stores';
import type { MailboxDirectory } from '../mailbox/mailbox-directory';
import { receiptPayload } from '../receipts/receipt-staging';
import { LETTER_LIMITS, type LetterSubmission } from './submission-schema';
import { LetterChecks, type CheckedLetter, type PlatformKeyInfo } from './letter-checks';

export type { PlatformKeyInfo };

export interface SubmitLetterCommand {
  agencyId: string;
  idempotencyKey: string;
  /** SHA-256 of the raw request body (DESIGN): the same key with another body is refused. */
  requestSha256: Buffer;
  submission: LetterSubmission;
  /**
   * Documents whose base64 was decoded and hashed while the body streamed in, by the
   * placeholder their `content` holds instead.
   */
  streamed?: ReadonlyMap<string, DecodedBase64>;
}

/** What an accepted submission answers, and what a repeat of the request is answered again. */
export type SubmittedLetter = AcceptedLetter;

export interface SubmitLetterResult {
  status: number;
  body: SubmittedLetter;
  replayed: boolean;
}

/** A checked letter to store under its key, alone or as one of a batch. */
export interface LetterToStage {
  agencyId: string;
  idempotencyKey: string;
  /**
   * What "the same request" is: the raw body's SHA-256 for a single letter, `submissionSha256`
   * of the item for a letter of a batch. The same key with another one is refused.
   */
  requestSha256: Buffer;
  letter: CheckedLetter;
  /** Sent in a batch: its delivery job goes to the bulk queue. */
  bulk: boolean;
}

export interface StagedLetter extends SubmitLetterResult {
  /** The delivery job to hand over once the transaction committed; none for a replay. */
  staged: StagedJob | null;
}

/**
 * Takes a letter from an agency: cheap OpenPGP form checks, then the letter, its documents as
 * received, the `accepted` receipt, the outbox row and the idempotency record in one transaction.
 */
/**
 * An erased mailbox takes no letters: the erasure was an operator's deliberate, final act (a
 * closed estate, a person's request), and a fresh key would quietly open it again.
 */
const recipientErased = () =>
  new DomainError(
    409,
    'recipient.erased',
    "recipient: this recipient's mailbox was erased and takes no more letters; send the letter by other means",
  );

export class SubmitLetter {
  private readonly letters: SenderLettersStore;
  private readonly replies = new RepliesStore();
  readonly checks: LetterChecks;

  constructor(
    private readonly db: DataSource,
    private readonly mailboxes: MailboxDirectory,
    platform: PlatformKeyInfo,
    limits: OpenPgpLimits,
    private readonly outbox: Outbox,
  ) {
    this.letters = new SenderLettersStore(new Sql(db));
    this.checks = new LetterChecks(db, mailboxes, platform, limits);
  }

  async execute(cmd: SubmitLetterCommand): Promise<SubmitLetterResult> {
    const streamed = cmd.streamed ?? new Map();
    const letter = await this.checks.check(cmd.submission, streamed);
    const outcome = await this.db.transaction((m) =>
      this.stage(m, {
        agencyId: cmd.agencyId,
        idempotencyKey: cmd.idempotencyKey,
        requestSha256: cmd.requestSha256,
        letter,
        bulk: false,
      }),
    );
    if (outcome.staged) await this.outbox.handOver(this.db.manager, [outcome.staged]);
    return { status: outcome.status, body: outcome.body, replayed: outcome.replayed };
  }

  /**
   * Stores a checked letter in the caller's transaction, or finds the answer it had before.
   * Throws the DomainError (409, 422) the agency is answered when its key is busy or was used
   * for another letter; it writes nothing before that.
   */
  async stage(m: EntityManager, item: LetterToStage): Promise<StagedLetter> {
    const tx = new Sql(m);
    const { submission, endToEnd, documents } = item.letter;
    // A second request with the same key waits for nothing: while the first transaction is
    // open it is told so (409); afterwards it sees the stored answer.
    if (!(await this.letters.lockIdempotencyKey(tx, item.agencyId, item.idempotencyKey))) {
      throw idempotencyKeyBusy();
    }
    const previous = await this.letters.replayIdempotent(tx, item.agencyId, item.idempotencyKey);
    if (previous) {
      if (!previous.requestSha256.equals(item.requestSha256)) {
        throw new DomainError(
          422,
          'idempotency.key_reused',
          'This Idempotency-Key was used before with a different request body',
        );
      }
      return { status: previous.status, body: previous.response, replayed: true, staged: null };
    }

    const mailbox = await this.mailboxes.findOrCreateRecipient(m, submission.recipient);
    if (mailbox.erasedAt) throw recipientErased();
    const inReplyTo = submission.inReplyTo ?? null;
    if (inReplyTo && !(await this.replies.isFrom(tx, inReplyTo, item.agencyId, mailbox.id))) {
      throw invalid(
        'letter.unknown_reply',
        `inReplyTo: ${inReplyTo} is not a reply this recipient sent your agency`,
        { field: 'inReplyTo' },
      );
    }
    const letterId = uuidv7();
    const receipt = {
      ...receiptPayload(
        letterId,
        'accepted',
        {
          agencyId: item.agencyId,
          recipientRef: mailbox.recipientRef,
          endToEnd,
          documents: documents.map((d) => ({
            received: d.sha256.toString('hex'),
            plaintext: null,
          })),
        },
        {},
      ),
      logIndex: null,
    };
    const body: SubmittedLetter = { id: letterId, state: 'accepted', receipt };
    const queue = item.bulk ? 'deliver-bulk' : 'deliver';
    const staged = await this.letters.insertSubmission(tx, {
      letter: {
        id: letterId,
        agencyId: item.agencyId,
        mailboxId: mailbox.id,
        title: submission.title,
        senderReference: submission.senderReference ?? null,
        requiresAcknowledgement: submission.requiresAcknowledgement ?? false,
        reminderAfterDays: submission.reminderAfterDays ?? 7,
        publishAt: submission.publishAt ?? null,
        dueDate: submission.dueDate ?? null,
        endToEnd,
        bulk: item.bulk,
        replies: {
          allowed: submission.replies?.allowed ?? false,
          until: submission.replies?.until ?? null,
        },
        inReplyTo,
        confidential: submission.confidential ?? false,
      },
      documents: documents.map((doc, position) => ({
        id: uuidv7(),
        position,
        filename: doc.filename,
        mediaType: doc.mediaType,
        bytes: doc.bytes,
        sha256: doc.sha256,
        signature: doc.signatureBytes,
      })),
      receiptId: uuidv7(),
      idempotency: { key: item.idempotencyKey, requestSha256: item.requestSha256, status: 202 },
      answer: body,
      job: { queue, jobId: jobIdFor(queue, letterId) },
    });
    return { status: 202, body, replayed: false, staged };
  }
}

export { LETTER_LIMITS };
