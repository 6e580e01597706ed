export { verifyInclusion } from './inclusion';
export { verifyConsistency } from './consistency';
export { LogExportVerifier, verifyLogExport, type LogExportResult } from './log-export';
export {
  verifyAccessLogEvidence,
  type AccessLeafProof,
  type AccessLogCheck,
  type AccessLogEvidence,
} from './access-log';
export {
  verifyReceiptEvidence,
  type ReceiptEvidence,
  type ReceiptEvidenceResult,
} from './receipt-evidence';
export { ExportArchiveVerifier, type ExportSummary, type ExportVerdict } from './export-archive';
