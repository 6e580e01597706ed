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
  ACCESS_LEAF_JWS_TYPE,
  ACCESS_LEAF_MAX_DELAY_MS,
  accessEntryHash,
  parseAccessEntryRecord,
  parseAccessLeafPayload,
  signAccessLeaf,
  verifyAccessLeaf,
  type AccessEntryRecord,
  type AccessLeafPayload,
} from './access-leaf';
export { verifyLogEntry, type LogEntryPayload } from './log-entry';
export {
  verifyAccessLogEvidence,
  type AccessLeafProof,
  type AccessLogCheck,
  type AccessLogEvidence,
  LogExportVerifier,
  verifyConsistency,
  verifyInclusion,
  verifyLogExport,
  verifyReceiptEvidence,
  type LogExportResult,
  type ReceiptEvidence,
} from './verify';
export { ExportArchiveVerifier, type ExportSummary, type ExportVerdict } from './verify';
export * from './export';
