export * from '#lifecycle';
export * from './sending/submission-schema';
export {
  SubmitLetter,
  type SubmitLetterResult,
  type SubmittedLetter,
  type PlatformKeyInfo,
} from './sending/submit-letter';
export {
  SubmitLetterBatch,
  type BatchEntry,
  type SubmitBatchResult,
} from './sending/submit-letter-batch';
export { submissionSha256 } from './sending/letter-checks';
export {
  DeliverLetter,
  type DocumentOpener,
  type DeliveryOutcome,
} from './delivery/deliver-letter';
export {
  CitizenMailbox,
  type MailboxLetterView,
  type Folder,
  type ListQuery,
} from './mailbox/citizen-mailbox';
export {
  DocumentViewTickets,
  VIEW_TICKET_USES,
  type TicketRedis,
} from './mailbox/document-view-tickets';
export { SenderLetters, type SenderLetterView, type EventItem } from './sending/sender-letters';
export { RecipientLookup, type Actor, type LookupItem } from './sending/recipient-lookup';
export { MailboxDirectory, type NationalIdPolicy } from './mailbox/mailbox-directory';
export {
  MailboxAccess,
  accessMailbox,
  type Caller,
  type MailboxToActFor,
} from './mailbox/mailbox-access';
export {
  MailboxGrants,
  type GrantRequest,
  type GrantView,
  type OperatorGrant,
} from './mailbox/mailbox-grants';
export { applyTransition } from './letter-transitions';
export { stageReceipt, findReceipt, type StagedReceipt } from './receipts/receipt-staging';
export { ReceiptSequencer } from './receipts/receipt-sequencer';
export { PrintLetter } from './delivery/print-letter';
export { ReceiptLog, type InclusionProofView } from './receipts/receipt-log';
export { LetterEvidence, type EvidenceView } from './receipts/letter-evidence';
export * from './webhooks';
export { MailboxKeys, type MailboxKeyView } from './mailbox/mailbox-keys';
export { readCitizenKey, citizenEncryptionKeyIds, type CitizenKey } from './mailbox/end-to-end';
export { purgeTrash } from './mailbox/purge-trash';
