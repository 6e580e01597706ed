import type { DataSource } from 'typeorm';
import { Outbox, type OutboxRow } from '#queue';
import { LetterDeliveryStore, Sql, type LetterForDelivery, type VerifiedDocument } from '#stores';
import type { LetterState } from '#lifecycle';
import { factsOf } from './delivery-facts';
import { planDelivery } from './delivery-move';
import { LetterVerifier, type DocumentOpener } from './letter-verifier';
import { applyTransition } from '../letter-transitions';
import type { MailboxDirectory } from '../mailbox/mailbox-directory';
import type { ReceiptFacts } from '../receipts/receipt-staging';

export { type DocumentOpener } from './letter-verifier';

export type DeliveryOutcome =
  { kind: 'done'; state: string } | { kind: 'not_yet'; publishAt: Date };

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

export const done = (state: string): DeliveryOutcome => ({ kind: 'done', state });

/** What delivery needs beyond its connections: the length of a day for reminders. */
export interface DeliverySettings {
  /** `REMINDER_DAY_MS`: a reminder's job is due `reminderAfterDays` of these after delivery. */
  dayMs: number;
}

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
    mailboxes: MailboxDirectory,
    opener: DocumentOpener,
    /** When given, the jobs staged with the delivery are handed to the queue at once. */
    private readonly outbox?: Outbox,
    private readonly settings: DeliverySettings = { dayMs: 86_400_000 },
  ) {
    this.sql = new Sql(db);
    this.letters = new LetterDeliveryStore(this.sql);
    this.verifier = new LetterVerifier(mailboxes, opener);
  }

  private readonly sql: Sql;
  private readonly letters: LetterDeliveryStore;
  private readonly verifier: LetterVerifier;

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
      const verification = await this.verifier.verify(letter, documents, attempt);
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
    const move = planDelivery(letter, verified, facts, at, this.settings.dayMs);
    if (!move) return null;
    const staged = await this.letters.deliverIfStill(move, tx);
    return staged && { state: move.to, staged };
  }

  /**
   * Rejects a letter as its verification found it, under the letter's lock: only a letter still
   * `accepted` moves (another run may have decided it meanwhile). The batch uses it for a letter
   * its verification rejected, rather than verifying it again.
   */
  async reject(
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
