import { v7 as uuidv7 } from 'uuid';
import { transition } from '#lifecycle';
import { jobIdFor } from '#queue';
import type { DeliveryMove, LetterForDelivery, VerifiedDocument } from '#stores';
import { receiptOf } from '../letter-transitions';
import { receiptPayload, type ReceiptFacts } from '../receipts/receipt-staging';
import { jobsAfter } from './delivery-facts';

/**
 * The move delivery makes for `letter` as it was read: delivered, or forwarded to print for a
 * reserved recipient, with its receipt, its jobs (a reminder due `reminderAfterDays` days of
 * `dayMs` after delivery) and the documents to store. Null when the lifecycle allows no move.
 * The store applies it only if the letter is still as read.
 */
export function planDelivery(
  letter: LetterForDelivery,
  verified: VerifiedDocument[],
  facts: ReceiptFacts,
  at: Date,
  dayMs: number,
): DeliveryMove | null {
  const event = letter.mailbox.reserved ? 'forward_to_print' : 'deliver';
  const result = transition(letter.state, event, {
    requiresAcknowledgement: letter.requiresAcknowledgement,
  });
  if (result.kind !== 'moved') return null;
  const receipt = receiptPayload(letter.id, receiptOf(event), facts, { at });
  return {
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
      afterMs: j.queue === 'remind' ? letter.reminderAfterDays * dayMs : 0,
    })),
    documents: letter.verified ? [] : verified,
  };
}
