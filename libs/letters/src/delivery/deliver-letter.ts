import type { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import {
  OpenPgpError,
  documentAad,
  verifyDetachedSignature,
  type AgencySigningKey,
  type SealOptions,
  type SealedDocument,
} from '#crypto';
import { Outbox, jobIdFor, type OutboxRow } from '#queue';
import {
  LetterDeliveryStore,
  Sql,
  type LetterForDelivery,
  type ReceivedDocument,
  type VerifiedDocument,
} from '#stores';
import { factsOf, jobsAfter } from './delivery-facts';
import { applyTransition, receiptOf } from '../letter-transitions';
import { transition, type LetterState } from '#lifecycle';
import type { MailboxDirectory } from '../mailbox/mailbox-directory';
import { receiptPayload, type ReceiptFacts } from '../receipts/receipt-staging';

/**
 * Decrypts, verifies and seals one document; in production a thread pool with a time limit,
 * so the plaintext never reaches the thread that talks to the database.
 */
export interface DocumentOpener {
  openAndSeal(
    bytes: Uint8Array,
    agencyKeys: AgencySigningKey[],
    at: Date,
    seal: SealOptions,
  ): Promise<SealedDocument>;
}

const TIMEOUT_ATTEMPTS = 3;

export type DeliveryOutcome =
  { kind: 'done'; state: string } | { kind: 'not_yet'; publishAt: Date };

type Verification =
  | { kind: 'verified'; documents: VerifiedDocument[] }
  | { kind: 'rejected'; reason: { code: string; detail: string } };

const RESERVED_END_TO_END = {
  code: 'recipient.reserved_end_to_end',
  detail:
    'the recipient reserved against digital post before delivery; their letters are printed, which an end-to-end letter cannot be, so the agency must print and post it itself',
};

const RECIPIENT_ERASED = {
  code: 'recipient.erased',
  detail:
    "the recipient's mailbox was erased before delivery and takes no more letters; send the letter by other means",
};

const done = (state: string): DeliveryOutcome => ({ kind: 'done', state });

/**
 * The worker's `deliver` job: verify on arrival (so a bad letter is rejected at once even when
 * `publishAt` lies ahead), seal the plaintext under the mailbox's data key, then deliver at
 * `publishAt` or hand to print for a reserved recipient. When the letter is due, storing the
 * sealed documents and delivering are one transaction. Runs any number of times; only the
 * first run that finds the letter `accepted` changes anything.
 */
export class DeliverLetter {
  constructor(
    private readonly db: DataSource,
    private readonly mailboxes: MailboxDirectory,
    private readonly opener: DocumentOpener,
    /** When given, the jobs staged with the delivery are handed to the queue at once. */
    private readonly outbox?: Outbox,
  ) {
    this.sql = new Sql(db);
    this.letters = new LetterDeliveryStore(this.sql);
  }

  private readonly sql: Sql;
  private readonly letters: LetterDeliveryStore;

  /**
   * `attempt` counts from 1. A time-out on an early attempt may be our own overload, so it is
   * retried; only a document that keeps timing out is rejected.
   */
  async execute(
    letterId: string,
    { attempt = 1, now = () => new Date() }: { attempt?: number; now?: () => Date } = {},
  ): Promise<DeliveryOutcome> {
    const [letter, documents] = await Promise.all([
      this.letters.readForDelivery(letterId),
      this.letters.receivedDocuments(letterId),
    ]);
    if (!letter || letter.state !== 'accepted') return done(letter?.state ?? 'missing');
    if (letter.mailbox.erased) {
      await this.reject(letterId, factsOf(letter, documents), RECIPIENT_ERASED);
      return done('rejected');
    }
    if (letter.endToEnd && letter.mailbox.reserved) {
      // The citizen reserved after the letter was accepted: print cannot read it (see SubmitLetter).
      await this.reject(letterId, factsOf(letter, documents), RESERVED_END_TO_END);
      return done('rejected');
    }

    let verified: VerifiedDocument[] = [];
    if (!letter.verified) {
      // Another run delivered it between the two reads; the transaction below will see that.
      if (documents.some((d) => !d.received)) {
        return done((await this.letters.readForDelivery(letterId))?.state ?? 'missing');
      }
      const verification = await this.verify(letterId, letter, documents, attempt);
      if (verification.kind === 'rejected') {
        await this.reject(letterId, factsOf(letter, documents), verification.reason);
        return done('rejected');
      }
      verified = verification.documents;
    }
    const due = !letter.publishAt || letter.publishAt <= now();
    const facts = factsOf(letter, documents, verified);
    let moved = due ? await this.deliverIfAsRead(this.sql, letter, verified, facts, now()) : null;
    // Not due, or the letter changed since it was read: decide under its lock.
    const outcome = moved
      ? done(moved.state)
      : await this.sql.transaction(async (tx): Promise<DeliveryOutcome> => {
          const current = await this.letters.claimForDelivery(tx, letterId);
          if (current.state !== 'accepted') return done(current.state);
          const locked = {
            ...letter,
            verified: current.verified,
            requiresAcknowledgement: current.requiresAcknowledgement,
          };
          if (!due) {
            if (!locked.verified && verified.length > 0)
              await this.letters.storeVerified(tx, letterId, verified);
            return { kind: 'not_yet', publishAt: letter.publishAt! };
          }
          moved = await this.deliverIfAsRead(tx, locked, verified, facts, now());
          if (!moved) throw new Error(`letter ${letterId} did not move under its lock`);
          return done(moved.state);
        });
    // The relay would hand these over within seconds; doing it now saves the citizen the wait.
    if (this.outbox && moved) await this.outbox.handOver(this.db.manager, moved.staged);
    return outcome;
  }

  /**
   * Delivery in one statement, so one round trip and one commit: the lifecycle decides the move
   * from `letter` as the caller found it, and the store applies it only if the letter is still
   * in that state and as verified. Returns null when the letter has changed since it was read;
   * under the letter's lock that cannot happen.
   */
  private async deliverIfAsRead(
    tx: Sql,
    letter: LetterForDelivery,
    verified: VerifiedDocument[],
    facts: ReceiptFacts,
    at: Date,
  ): Promise<{ state: LetterState; staged: OutboxRow[] } | null> {
    const event = letter.mailbox.reserved ? 'forward_to_print' : 'deliver';
    const result = transition(letter.state, event, {
      requiresAcknowledgement: letter.requiresAcknowledgement,
    });
    if (result.kind !== 'moved') return null;
    const receipt = receiptPayload(letter.id, receiptOf(event), facts, { at });
    const staged = await this.letters.deliverIfStill(
      {
        letterId: letter.id,
        from: result.from,
        to: result.to,
        wasVerified: letter.verified,
        receipt: {
          id: uuidv7(),
          agencyId: facts.agencyId,
          type: receipt.type,
          at: receipt.at,
          payload: receipt,
        },
        jobs: jobsAfter(event, letter).map((j) => ({
          queue: j.queue,
          jobId: jobIdFor(j.queue, j.subjectId),
          subjectId: j.subjectId,
        })),
        documents: letter.verified ? [] : verified,
      },
      tx,
    );
    return staged && { state: result.to, staged };
  }

  private async verify(
    letterId: string,
    letter: LetterForDelivery,
    documents: ReceivedDocument[],
    attempt: number,
  ): Promise<Verification> {
    const dataKey = letter.endToEnd ? null : this.mailboxes.dataKeyOf(letter.mailbox);
    const results = await Promise.allSettled(
      documents.map((doc) =>
        dataKey
          ? this.openAndSeal(letterId, letter, doc, dataKey)
          : this.checkEndToEnd(letter, doc),
      ),
    );
    const verified: VerifiedDocument[] = [];
    for (const [i, result] of results.entries()) {
      if (result.status === 'fulfilled') {
        verified.push(result.value);
        continue;
      }
      const error: unknown = result.reason;
      if (!(error instanceof OpenPgpError)) throw error;
      if (error.code === 'openpgp.timeout' && attempt < TIMEOUT_ATTEMPTS) throw error;
      const doc = documents[i];
      return {
        kind: 'rejected',
        reason: {
          code: error.code,
          detail: `document ${doc.position + 1} (${doc.filename}): ${error.detail}`,
        },
      };
    }
    return { kind: 'verified', documents: verified };
  }

  private async openAndSeal(
    letterId: string,
    letter: LetterForDelivery,
    doc: ReceivedDocument,
    dataKey: Buffer,
  ): Promise<VerifiedDocument> {
    const aad = documentAad(letterId, doc.id, letter.mailbox.masterKeyVersion);
    const sealed = await this.opener.openAndSeal(
      doc.received!,
      letter.agencyKeys,
      letter.createdAt,
      {
        key: dataKey,
        aad,
      },
    );
    return {
      id: doc.id,
      sealed: sealed.sealed,
      plaintextSha256: sealed.plaintextSha256,
      size: sealed.size,
      signature: Buffer.from(sealed.detachedSignature),
      signer: sealed.signerFingerprint,
    };
  }

  /**
   * The platform cannot decrypt an end-to-end document: it checks the agency's detached
   * signature over the ciphertext and keeps the document exactly as received (DESIGN
   * "Encryption and signatures").
   */
  private async checkEndToEnd(
    letter: LetterForDelivery,
    doc: ReceivedDocument,
  ): Promise<VerifiedDocument> {
    const { signerFingerprint } = await verifyDetachedSignature(
      doc.received!,
      doc.receivedSignature ?? new Uint8Array(),
      letter.agencyKeys,
      letter.createdAt,
    );
    return {
      id: doc.id,
      sealed: null,
      plaintextSha256: null,
      size: doc.received!.byteLength,
      signature: null,
      signer: signerFingerprint,
    };
  }

  private async reject(
    letterId: string,
    facts: ReceiptFacts,
    reason: { code: string; detail: string },
  ): Promise<void> {
    await this.db.transaction(async (m) => {
      const applied = await applyTransition(m, letterId, 'reject', { reason, facts });
      if (applied.changed) await this.letters.dropReceived(new Sql(m), letterId);
    });
  }
}
