import type { DataSource } from 'typeorm';
import type { DecodedBase64 } from '#crypto';
import { DomainError, idempotencyKeyBusy, problem } from '#errors';
import type { Outbox } from '#queue';
import { LetterBatchesStore, Sql, type BatchAnswer, type BatchItem, type StagedJob } from '#stores';
import { submissionSha256, type CheckedLetter } from './letter-checks';
import type { LetterSubmission } from './submission-schema';
import type { SubmitLetter } from './submit-letter';

/** A letter of the batch as the edge left it: parsed, or refused with the reason. */
export type BatchEntry =
  | { idempotencyKey: string; submission: LetterSubmission }
  | { idempotencyKey: string | null; refused: DomainError };

export interface SubmitBatchCommand {
  agencyId: string;
  /** The batch's own key: its whole answer is replayed for it. */
  idempotencyKey: string;
  /** SHA-256 of the request body: the same batch key with another body is refused. */
  requestSha256: Buffer;
  letters: BatchEntry[];
  streamed?: ReadonlyMap<string, DecodedBase64>;
}

export interface SubmitBatchResult {
  items: BatchItem[];
  replayed: boolean;
  /** Letters this request stored (not replays of letters sent before): what entered `accepted`. */
  accepted: number;
}

type Checked =
  | { idempotencyKey: string; letter: CheckedLetter; requestSha256: Buffer }
  | { idempotencyKey: string | null; refused: DomainError };

/**
 * Takes up to 500 letters in one request (DESIGN "Batches"). Partial failure: each letter is
 * checked as a single one would be, and a letter that fails is answered its own 4xx and is
 * not stored; the others are stored in one transaction, each under its own key exactly as a
 * single letter (so a letter sent before, alone or in another batch, is replayed, and its key
 * with another letter is that letter's 422). The whole answer is kept under the batch's key:
 * a repeat of the batch is answered the same items and stores nothing.
 */
export class SubmitLetterBatch {
  private readonly batches = new LetterBatchesStore();

  constructor(
    private readonly db: DataSource,
    private readonly submit: SubmitLetter,
    private readonly outbox: Outbox,
  ) {}

  async execute(cmd: SubmitBatchCommand): Promise<SubmitBatchResult> {
    // A repeat is answered before 500 letters' OpenPGP is looked at again.
    const earlier = await this.batches.answerTo(new Sql(this.db), cmd.agencyId, cmd.idempotencyKey);
    if (earlier) return replay(earlier, cmd.requestSha256);

    const streamed = cmd.streamed ?? new Map<string, DecodedBase64>();
    const checked: Checked[] = [];
    // One after another: the form checks are CPU work, and the API shares its cores.
    for (const entry of cmd.letters) checked.push(await this.check(entry, streamed));

    const outcome = await this.db.transaction(async (m) => {
      const tx = new Sql(m);
      if (!(await this.batches.lockKey(tx, cmd.agencyId, cmd.idempotencyKey))) {
        throw idempotencyKeyBusy();
      }
      const raced = await this.batches.answerTo(tx, cmd.agencyId, cmd.idempotencyKey);
      if (raced) return { ...replay(raced, cmd.requestSha256), staged: [] };
      const items: BatchItem[] = [];
      const staged: StagedJob[] = [];
      for (const c of checked) {
        if ('refused' in c) {
          items.push(refusedItem(c.idempotencyKey, c.refused));
          continue;
        }
        try {
          const stored = await this.submit.stage(m, {
            agencyId: cmd.agencyId,
            idempotencyKey: c.idempotencyKey,
            requestSha256: c.requestSha256,
            letter: c.letter,
            bulk: true,
          });
          if (stored.staged) staged.push(stored.staged);
          items.push({ idempotencyKey: c.idempotencyKey, status: 202, ...stored.body });
        } catch (error) {
          // Only the key's checks throw here, before the letter wrote anything.
          if (!(error instanceof DomainError)) throw error;
          items.push(refusedItem(c.idempotencyKey, error));
        }
      }
      await this.batches.record(tx, cmd.agencyId, cmd.idempotencyKey, cmd.requestSha256, items);
      return { items, replayed: false, staged };
    });

    if (outcome.staged.length > 0) await this.outbox.handOver(this.db.manager, outcome.staged);
    return { items: outcome.items, replayed: outcome.replayed, accepted: outcome.staged.length };
  }

  private async check(
    entry: BatchEntry,
    streamed: ReadonlyMap<string, DecodedBase64>,
  ): Promise<Checked> {
    if ('refused' in entry) return entry;
    try {
      const letter = await this.submit.checks.check(entry.submission, streamed);
      return {
        idempotencyKey: entry.idempotencyKey,
        letter,
        requestSha256: submissionSha256(entry.submission, streamed),
      };
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      return { idempotencyKey: entry.idempotencyKey, refused: error };
    }
  }
}

function replay(earlier: BatchAnswer, requestSha256: Buffer): SubmitBatchResult {
  if (!earlier.requestSha256.equals(requestSha256)) {
    throw new DomainError(
      422,
      'idempotency.key_reused',
      "This batch's Idempotency-Key was used before with a different request body",
    );
  }
  return { items: earlier.items, replayed: true, accepted: 0 };
}

function refusedItem(idempotencyKey: string | null, error: DomainError): BatchItem {
  return {
    idempotencyKey,
    status: error.status,
    problem: problem(error.status, error.code, error.detail, error.extra),
  };
}
