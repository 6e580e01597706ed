export { canonicalJson } from './canonical';
export {
  RECEIPT_TYPES,
  ACTOR_ROLES,
  parseReceiptPayload,
  type ActorRole,
  type NotificationKind,
  type ReceiptDocument,
  type ReceiptPayload,
  type ReceiptType,
} from './receipt-payload';
export { RECEIPT_JWS_TYPE, signReceipt, verifyReceipt } from './receipt';
export {
  TREE_HEAD_JWS_TYPE,
  parseTreeHeadPayload,
  signTreeHead,
  verifyTreeHead,
  type SignedTreeHead,
  type TreeHeadPayload,
} from './tree-head';
export { generateReceiptKey, type GeneratedSigningKey, type SigningKey } from './signing-key';
export { VerificationKeys } from './verification-keys';
export {
  MerkleTree,
  consistencyProof,
  inclusionProof,
  leafHash,
  rootFromLeafHashes,
} from './merkle';
export {
  LogExportVerifier,
  verifyConsistency,
  verifyInclusion,
  verifyLogExport,
  type LogExportResult,
} from './verify';
