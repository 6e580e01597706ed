import type { DataSource } from 'typeorm';
import type { Outbox } from '#queue';
import {
  LetterDeliveryStore,
  Sql,
  type DeliveryMove,
  type LetterForDelivery,
  type ReceivedDocument,
  type StagedJob,
} from '#stores';
import {
  done,
  type DeliverLetter,
  type DeliveryOutcome,
  type DeliverySettings,
} from './deliver-letter';
import { factsOf } from './delivery-facts';
import { planDelivery } from './delivery-move';
import { LetterVerifier, type DocumentOpener } from './letter-verifier';
import type { MailboxDirectory } from '../mailbox/mailbox-directory';

export interface BatchItem {
  letterId: string;
  /** The job's attempt, from 1 (see DeliverLetter.execute). */
  attempt: number;
}

/**
 * Why a letter left the batch. Delivered alone by the single-letter path: `unusual` (not found,
 * verified before, erased, reserved end to end, not due, bytes gone), `no_move` (the lifecycle allowed
 * none), `conflict` (changed since it was read: the statement left it out), `failed` (the read
 * or the statement failed; the single path finds out what committed). Otherwise: `rejected`
 * (its verification rejected it: the single path's rejection, without verifying again) and
 * `verification` (verification failed, a time-out or a thread that died: its job is retried).
 */
export const SPLIT_REASONS = [
  'unusual',
  'no_move',
  'conflict',
  'failed',
  'rejected',
  'verification',
] as const;
export type SplitReason = (typeof SPLIT_REASONS)[number];

type Candidate = BatchItem & { letter: LetterForDelivery; documents: ReceivedDocument[] };
type Settled = PromiseSettledResult<DeliveryOutcome>;
type Outcomes = Map<string, Promise<Settled>>;

/** Settled at once into a value, so that a failure waits for the batch unhandled by nobody. */
const settle = (outcome: Promise<DeliveryOutcome>): Promise<Settled> =>
  outcome.then(
    (value) => ({ status: 'fulfilled', value }),
    (reason: unknown) => ({ status: 'rejected', reason }),
  );

/**
 * Delivery of several letters at once: one statement reads them all with their documents, their
 * documents are verified and sealed together on the opener's threads, and one conditional
 * statement (one commit) delivers every letter still as read. Only the common case travels in
 * the batch: an `accepted`, unverified, due letter. Every other letter, and every letter that
 * fails in the batch (verification, a conflict, an error), is delivered alone by the
 * single-letter path, which decides under the letter's lock as before. Exactly once holds as it
 * does for one letter: a letter moves only if it is still `accepted` and unverified, in the
 * same statement as its receipt and its jobs.
 */
export class DeliverLetterBatch {
  private readonly letters: LetterDeliveryStore;
  private readonly verifier: LetterVerifier;

  constructor(
    private readonly db: DataSource,
    mailboxes: MailboxDirectory,
    opener: DocumentOpener,
    private readonly single: DeliverLetter,
    private readonly outbox: Outbox | undefined,
    private readonly settings: DeliverySettings,
    private readonly onSplit: (letterId: string, why: SplitReason) => void = () => undefined,
  ) {
    this.letters = new LetterDeliveryStore(new Sql(db));
    this.verifier = new LetterVerifier(mailboxes, opener);
  }

  /** One answer per item, in order: its outcome, or the error its job should be retried for. */
  async execute(
    items: readonly BatchItem[],
    now: () => Date = () => new Date(),
  ): Promise<PromiseSettledResult<DeliveryOutcome>[]> {
    const outcomes: Outcomes = new Map();
    const alone = (item: BatchItem, why: SplitReason) => {
      this.onSplit(item.letterId, why);
      outcomes.set(
        item.letterId,
        settle(this.single.execute(item.letterId, { attempt: item.attempt, now })),
      );
    };
    // A letter named twice is delivered once; both get its answer.
    const unique = items.filter(
      (item, i) => items.findIndex((other) => other.letterId === item.letterId) === i,
    );

    const candidates = await this.candidates(unique, now(), outcomes, alone);
    const verified = await Promise.allSettled(
      candidates.map((c) => this.verifier.verify(c.letter, c.documents, c.attempt)),
    );
    const at = now();
    const moves: { item: Candidate; move: DeliveryMove }[] = [];
    for (const [i, result] of verified.entries()) {
      const item = candidates[i];
      if (result.status === 'rejected') {
        // A time-out on an early attempt, a thread that died: the job is retried, as alone.
        this.onSplit(item.letterId, 'verification');
        outcomes.set(item.letterId, Promise.resolve(result));
        continue;
      }
      if (result.value.kind === 'rejected') {
        // Decided: rejected as the single path rejects, under the letter's lock, not verified again.
        this.onSplit(item.letterId, 'rejected');
        outcomes.set(item.letterId, settle(this.rejected(item, result.value.reason)));
        continue;
      }
      const documents = result.value.documents;
      const facts = factsOf(item.letter, item.documents, documents);
      const move = planDelivery(item.letter, documents, facts, at, this.settings.dayMs);
      if (move) moves.push({ item, move });
      else alone(item, 'no_move');
    }
    await this.deliverAll(moves, outcomes, alone);
    return Promise.all(items.map((item) => outcomes.get(item.letterId)!));
  }

  private async rejected(
    item: Candidate,
    reason: { code: string; detail: string },
  ): Promise<DeliveryOutcome> {
    await this.single.reject(item.letterId, factsOf(item.letter, item.documents), reason);
    return done('rejected');
  }

  /** Reads every letter; those the batch cannot take are answered or sent down the single path. */
  private async candidates(
    items: readonly BatchItem[],
    at: Date,
    outcomes: Outcomes,
    alone: (item: BatchItem, why: SplitReason) => void,
  ): Promise<Candidate[]> {
    let read: Awaited<ReturnType<LetterDeliveryStore['readManyForDelivery']>>;
    try {
      read = await this.letters.readManyForDelivery(items.map((i) => i.letterId));
    } catch {
      items.forEach((item) => alone(item, 'failed'));
      return [];
    }
    const byId = new Map(read.map((entry) => [entry.letter.id, entry]));
    const candidates: Candidate[] = [];
    for (const item of items) {
      const entry = byId.get(item.letterId);
      if (entry && entry.letter.state !== 'accepted') {
        // Delivered, rejected or withdrawn already: the single path would say just this.
        outcomes.set(item.letterId, settle(Promise.resolve(done(entry.letter.state))));
        continue;
      }
      const { letter, documents } = entry ?? {};
      const common =
        letter &&
        documents &&
        !letter.verified &&
        !letter.mailbox.erased &&
        !(letter.endToEnd && letter.mailbox.reserved) &&
        (!letter.publishAt || letter.publishAt <= at) &&
        documents.every((d) => d.received);
      if (common) candidates.push({ ...item, letter, documents });
      else alone(item, 'unusual');
    }
    return candidates;
  }

  private async deliverAll(
    moves: { item: Candidate; move: DeliveryMove }[],
    outcomes: Outcomes,
    alone: (item: BatchItem, why: SplitReason) => void,
  ): Promise<void> {
    if (moves.length === 0) return;
    let staged: Map<string, StagedJob[]>;
    try {
      staged = await this.letters.deliverAllIfStill(moves.map((m) => m.move));
    } catch {
      // Committed or not, the single path sees which: a letter that moved is no longer accepted.
      moves.forEach((m) => alone(m.item, 'failed'));
      return;
    }
    for (const { item, move } of moves) {
      if (staged.has(item.letterId))
        outcomes.set(item.letterId, settle(Promise.resolve(done(move.to))));
      else alone(item, 'conflict');
    }
    // The relay would hand these over within seconds; doing it now saves the citizens the wait.
    if (this.outbox) await this.outbox.handOver(this.db.manager, [...staged.values()].flat());
  }
}
