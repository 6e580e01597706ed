import type { EntityManager } from 'typeorm';
import { DomainError, notFound } from '#errors';
import type { ReceiptType } from '#evidence';
import { TARGET, transition, type LetterEvent, type LetterState } from '#lifecycle';
import { LettersStore, Sql, TIMESTAMP_OF } from '#stores';
import {
  findReceipt,
  stageReceipt,
  type ReceiptActor,
  type ReceiptFacts,
  type StagedReceipt,
} from './receipts/receipt-staging';

/** Every state after `accepted` is also the name of the receipt that records reaching it. */
export const receiptOf = (event: LetterEvent): ReceiptType => TARGET[event];

export { TIMESTAMP_OF };

export interface AppliedTransition {
  changed: boolean;
  state: LetterState;
  receipt: StagedReceipt | null;
}

/**
 * Applies a lifecycle event inside the caller's transaction: locks the letter row, asks the pure
 * lifecycle, updates conditionally and stages exactly one receipt. A repeat returns the receipt
 * of the first time and changes nothing.
 */
const letters = new LettersStore();

export async function applyTransition(
  m: EntityManager,
  letterId: string,
  event: LetterEvent,
  options: {
    at?: Date;
    reason?: { code: string; detail: string };
    facts?: ReceiptFacts;
    /** `read` and `acknowledged`: who acted, and in which role. */
    actor?: ReceiptActor;
  } = {},
): Promise<AppliedTransition> {
  const tx = new Sql(m);
  const letter = await letters.lockForTransition(tx, letterId);
  if (!letter) throw notFound('letter');
  const result = transition(letter.state, event, {
    requiresAcknowledgement: letter.requiresAcknowledgement,
  });
  if (result.kind === 'refused') throw new DomainError(409, result.code, result.detail);
  if (result.kind === 'unchanged') {
    const receipt = await findReceipt(m, letterId, receiptOf(event));
    return { changed: false, state: result.state, receipt };
  }
  const at = options.at ?? new Date();
  await letters.moveState(tx, { letterId, from: result.from, to: result.to, at });
  const receipt = await stageReceipt(m, letterId, receiptOf(event), {
    at,
    reason: options.reason,
    facts: options.facts,
    actor: options.actor,
  });
  return { changed: true, state: result.to, receipt };
}
