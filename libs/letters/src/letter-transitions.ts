import type { EntityManager } from 'typeorm';
import { DomainError, notFound } from '#errors';
import type { ReceiptType } from '#evidence';
import { TARGET, transition, type LetterEvent, type LetterState } from './lifecycle';
import {
  findReceipt,
  stageReceipt,
  type ReceiptFacts,
  type StagedReceipt,
} from './receipt-staging';

/** Every state after `accepted` is also the name of the receipt that records reaching it. */
export const receiptOf = (event: LetterEvent): ReceiptType => TARGET[event];

/** Columns set with a transition, beside `state`; values are SQL expressions over $2.. params. */
export const TIMESTAMP_OF: Partial<Record<LetterState, string>> = {
  delivered: 'delivered_at',
  read: 'read_at',
  acknowledged: 'acknowledged_at',
};

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
export async function applyTransition(
  m: EntityManager,
  letterId: string,
  event: LetterEvent,
  options: {
    at?: Date;
    reason?: { code: string; detail: string };
    facts?: ReceiptFacts;
  } = {},
): Promise<AppliedTransition> {
  const [letter] = (await m.query(
    'SELECT state, requires_acknowledgement FROM letters WHERE id = $1 FOR UPDATE',
    [letterId],
  )) as { state: LetterState; requires_acknowledgement: boolean }[];
  if (!letter) throw notFound('letter');
  const result = transition(letter.state, event, {
    requiresAcknowledgement: letter.requires_acknowledgement,
  });
  if (result.kind === 'refused') throw new DomainError(409, result.code, result.detail);
  if (result.kind === 'unchanged') {
    const receipt = await findReceipt(m, letterId, receiptOf(event));
    return { changed: false, state: result.state, receipt };
  }
  const at = options.at ?? new Date();
  const column = TIMESTAMP_OF[result.to];
  await m.query(
    `UPDATE letters SET state = $2${column ? `, ${column} = $4` : ''}
      WHERE id = $1 AND state = $3`,
    column ? [letterId, result.to, result.from, at] : [letterId, result.to, result.from],
  );
  const receipt = await stageReceipt(m, letterId, receiptOf(event), {
    at,
    reason: options.reason,
    facts: options.facts,
  });
  return { changed: true, state: result.to, receipt };
}
