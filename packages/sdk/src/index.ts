export {
  PostkasseClient,
  MAX_BATCH_LETTERS,
  type BatchItem,
  type BatchLetter,
  type BatchResult,
  type EventsPage,
  type LetterEvent,
  type LetterReceipt,
  type LetterBatchRequest,
  type LetterRequest,
  type LookupQuery,
  type LookupResult,
  type PlatformKeys,
  type Recipient,
  type SealedDocument,
  type SenderLetter,
  type SubmittedLetter,
} from './client';
export type { ClientOptions } from './http';
export { ApiError, NetworkError, PostkasseError, describeFailure, type Problem } from './errors';
export {
  DEFAULT_RETRY_POLICY,
  isRetryable,
  parseRetryAfter,
  retryDelay,
  type RetryPolicy,
} from './retry';
export {
  encryptAndSignForPlatform,
  encryptAndSignForRecipient,
  type MediaType,
  type PlainDocument,
  type SigningKey,
} from './seal';
export { followEvents, type CursorStore, type FollowOptions } from './events';
export {
  verifyReceipt,
  verifyReceiptInclusion,
  type InclusionProof,
  type ReceiptKeys,
  type ReceiptPayload,
  type SignedTreeHead,
} from './evidence';
export {
  verifyWebhook,
  type WebhookCheck,
  type WebhookEvent,
  type WebhookHeaders,
} from './webhooks';
export type { components, operations, paths } from './api-types';
