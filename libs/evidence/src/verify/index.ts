export { verifyInclusion } from './inclusion';
export { verifyConsistency } from './consistency';
export { LogExportVerifier, verifyLogExport, type LogExportResult } from './log-export';
export { ExportArchiveVerifier, type ExportSummary, type ExportVerdict } from './export-archive';
