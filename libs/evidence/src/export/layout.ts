// Where each part of a mailbox export lives in its tar archive, and the JSON shapes of its
// files. The writer (the API) and the offline verifier (the CLI) both read this one file, so
// they cannot disagree about a name.

/** Every name starts here, so unpacking the archive makes one folder. */
export const EXPORT_ROOT = 'postkasse-export';

export const EXPORT_FORMAT = 'postkasse-mailbox-export';
export const EXPORT_VERSION = 1;

export const EXPORT_PATHS = {
  readme: `${EXPORT_ROOT}/README.txt`,
  treeHead: `${EXPORT_ROOT}/tree-head.json`,
  manifest: `${EXPORT_ROOT}/manifest.json`,
  manifestJws: `${EXPORT_ROOT}/manifest.jws`,
  /**
   * The access log with its transparency-log leaves and their proofs against a tree head of its
   * own, as `GET /v1/mailbox/access-log/evidence` serves it: what `evidence verify-access-log`
   * checks (every entry has its leaf at the time it claims, every leaf its entry).
   */
  accessLogEvidence: `${EXPORT_ROOT}/access-log/evidence.json`,
} as const;

/** Access-log entries per file: small files, so neither side holds a long log at once. */
export const ACCESS_LOG_PAGE_SIZE = 1_000;

export interface InclusionProofJson {
  leafIndex: number;
  treeSize: number;
  /** RFC 9162 audit path, base64url, from the leaf up. */
  path: string[];
}

/** A log entry as exported: its JWS and a proof against the archive's tree head. */
export interface ProvenEntry {
  jws: string;
  /** Null when the tree head of the archive does not cover the entry yet. */
  inclusionProof: InclusionProofJson | null;
}

export interface ExportedDocument {
  filename: string;
  mediaType: string;
  /**
   * `plaintext`: decrypted by the platform; `openpgp`: an end-to-end document exactly as the
   * agency sent it, for the citizen's own key.
   */
  content: 'plaintext' | 'openpgp';
  /** The file in the archive; null when the mailbox was erased and the document with it. */
  path: string | null;
}

/** letters/ID/letter.json */
export interface ExportedLetter {
  id: string;
  sender: { id: string; name: string };
  title: string;
  senderReference: string | null;
  state: string;
  folder: string;
  deliveredAt: string;
  readAt: string | null;
  requiresAcknowledgement: boolean;
  acknowledgedAt: string | null;
  dueDate: string | null;
  endToEnd: boolean;
  documents: ExportedDocument[];
}

/** letters/ID/receipts.json */
export interface ExportedReceipts {
  receipts: ProvenEntry[];
}

/**
 * One access-log entry. `proof` is the entry's own leaf in the transparency log once the
 * platform commits access-log entries there; when present it is checked exactly as a
 * receipt's is.
 */
export interface ExportedAccessEntry {
  id: string;
  at: string;
  actor: { kind: string; id: string; name: string };
  action: string;
  purpose: string;
  letter: { id: string; title: string } | null;
  proof?: ProvenEntry;
}

/** access-log/NNNNN.json */
export interface ExportedAccessLogPage {
  entries: ExportedAccessEntry[];
}

export const letterDir = (letterId: string): string => `${EXPORT_ROOT}/letters/${letterId}`;
export const letterPath = (letterId: string): string => `${letterDir(letterId)}/letter.json`;
export const receiptsPath = (letterId: string): string => `${letterDir(letterId)}/receipts.json`;

/** Documents keep their order and their name, made safe to unpack anywhere. */
export function documentPath(
  letterId: string,
  index: number,
  filename: string,
  content: ExportedDocument['content'],
): string {
  const name = `${index + 1}-${safeFilename(filename)}${content === 'openpgp' ? '.pgp' : ''}`;
  return `${letterDir(letterId)}/documents/${name}`;
}

export const accessLogPagePath = (page: number): string =>
  `${EXPORT_ROOT}/access-log/${String(page + 1).padStart(5, '0')}.json`;

// A filename is the agency's text: keep it readable, but never a path (no separators, no
// "..", no control characters) and short enough for every file system's name limit.
// eslint-disable-next-line no-control-regex -- control characters are exactly what it removes
const UNSAFE = /[\u0000-\u001f\u007f/\\:*?"<>|]/g;

export function safeFilename(filename: string): string {
  const cleaned = filename.replace(UNSAFE, '_').replace(/^\.+/, '_').trim();
  const short = [...cleaned].slice(0, 120).join('');
  return short === '' ? 'document' : short;
}

/** Which part of the archive a name is, for the verifier; null for a name no writer makes. */
export type ArchivePart =
  | { kind: 'readme' | 'treeHead' | 'manifest' | 'manifestJws' | 'accessLogEvidence' }
  | { kind: 'letter' | 'receipts'; letterId: string }
  | { kind: 'document'; letterId: string }
  | { kind: 'accessLog' };

const LETTER_FILE = new RegExp(
  `^${EXPORT_ROOT}/letters/([0-9a-f-]{36})/(letter\\.json|receipts\\.json|documents/[^/]+)$`,
);
const ACCESS_LOG_FILE = new RegExp(`^${EXPORT_ROOT}/access-log/\\d{5}\\.json$`);

export function partOf(path: string): ArchivePart | null {
  for (const [kind, known] of Object.entries(EXPORT_PATHS)) {
    if (path === known) return { kind: kind as keyof typeof EXPORT_PATHS };
  }
  if (ACCESS_LOG_FILE.test(path)) return { kind: 'accessLog' };
  const letter = LETTER_FILE.exec(path);
  if (!letter) return null;
  const letterId = letter[1]!;
  if (letter[2] === 'letter.json') return { kind: 'letter', letterId };
  if (letter[2] === 'receipts.json') return { kind: 'receipts', letterId };
  return { kind: 'document', letterId };
}
