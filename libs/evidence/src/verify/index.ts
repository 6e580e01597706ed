export { verifyInclusion } from './inclusion';
export { verifyConsistency } from './consistency';
export { LogExportVerifier, verifyLogExport, type LogExportResult } from './log-export';
export {
  verifyReceiptEvidence,
  type ReceiptEvidence,
  type ReceiptEvidenceResult,
} from './receipt-evidence';
