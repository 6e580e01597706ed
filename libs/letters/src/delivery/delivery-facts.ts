import type { QueueName } from '#queue';
import type { LetterForDelivery, ReceivedDocument, VerifiedDocument } from '#stores';
import type { ReceiptFacts } from '../receipts/receipt-staging';

/** Both emails are staged with the delivery itself, so neither is lost to a crash or an outage. */
export function jobsAfter(
  event: 'deliver' | 'forward_to_print',
  letter: Pick<LetterForDelivery, 'id' | 'reminderAfterDays'>,
): { queue: QueueName; subjectId: string }[] {
  if (event === 'forward_to_print') return [{ queue: 'print', subjectId: letter.id }];
  return [
    { queue: 'notify', subjectId: letter.id },
    ...(letter.reminderAfterDays > 0 ? [{ queue: 'remind' as const, subjectId: letter.id }] : []),
  ];
}

/**
 * What the letter's receipt says, from what delivery has just read and verified: passing it in
 * saves the receipt two reads in the transaction that holds the letter's lock.
 */
export function factsOf(
  letter: LetterForDelivery,
  documents: ReceivedDocument[],
  verified: VerifiedDocument[] = [],
): ReceiptFacts {
  return {
    agencyId: letter.agencyId,
    recipientRef: letter.mailbox.recipientRef,
    endToEnd: letter.endToEnd,
    documents: documents.map((d, i) => ({
      received: d.receivedSha256,
      plaintext: verified[i]?.plaintextSha256?.toString('hex') ?? d.plaintextSha256,
    })),
  };
}
