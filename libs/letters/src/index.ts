export * from './lifecycle';
export * from './access-actions';
export * from './submission-schema';
export {
  SubmitLetter,
  sha256OfBody,
  type SubmitLetterResult,
  type SubmittedLetter,
  type PlatformKeyInfo,
} from './submit-letter';
export { DeliverLetter, type DocumentOpener, type DeliveryOutcome } from './deliver-letter';
export {
  CitizenMailbox,
  type MailboxLetterView,
  type Folder,
  type ListQuery,
} from './citizen-mailbox';
export { SenderLetters, type SenderLetterView, type EventItem } from './sender-letters';
export { RecipientLookup, recordAccess, type Actor, type LookupItem } from './recipient-lookup';
export { MailboxDirectory, type NationalIdPolicy } from './mailbox-directory';
export { applyTransition } from './letter-transitions';
export { stageReceipt, findReceipt, type StagedReceipt } from './receipt-staging';
export { ReceiptSequencer } from './receipt-sequencer';
export { PrintLetter } from './print-letter';
export { ReceiptLog, type InclusionProofView } from './log/receipt-log';
export { LetterEvidence, type EvidenceView } from './log/letter-evidence';
export * from './webhooks';
export { MailboxKeys, type MailboxKeyView } from './mailbox-keys';
export { readCitizenKey, citizenEncryptionKeyIds, type CitizenKey } from './end-to-end';
export { purgeTrash } from './purge-trash';
export { SigningKeyHistory, type SigningKeyInterval } from './signing-key-history';
