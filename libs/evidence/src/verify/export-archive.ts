import type { JWK } from 'jose';
import {
  EXPORT_PATHS,
  partOf,
  type ExportedDocument,
  type ExportedLetter,
  type ProvenEntry,
} from '../export/layout';
import {
  parseManifest,
  sha256Hex,
  verifyManifestSignature,
  type ExportManifest,
} from '../export/manifest';
import { isObject } from '../payload-checks';
import { verifyReceipt } from '../receipt';
import { verifyTreeHead, type TreeHeadPayload } from '../tree-head';
import { VerificationKeys } from '../verification-keys';
import { verifyAccessLogEvidence } from './access-log';
import { hashLeaf } from './hashing';
import { verifyInclusion } from './inclusion';

export interface ExportSummary {
  recipientRef: string;
  treeSize: number;
  letters: number;
  documents: number;
  /** Receipts with a proof against the tree head, and those the head does not cover yet. */
  receipts: { proven: number; notYetInLog: number };
  accessLogEntries: number;
  /** Access-log entries that carried their own proof. */
  provenAccessLogEntries: number;
  /** Access-log entries checked against their leaves in the transparency log. */
  accessLogEntriesInLog: number;
  files: number;
}

export type ExportVerdict =
  { ok: true; summary: ExportSummary } | { ok: false; item: string; reason: string };

interface Failure {
  /** Position in the archive, so that the first bad file is named whichever check found it. */
  ordinal: number;
  item: string;
  reason: string;
}

interface LetterState {
  endToEnd: boolean;
  documents: Map<string, ExportedDocument & { index: number }>;
  /** Per document index, the hash the signed receipts state; set when receipts.json is read. */
  signedHashes: (string | null)[] | null;
}

class Bad extends Error {
  constructor(
    readonly item: string,
    reason: string,
  ) {
    super(reason);
  }
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

function parseJson(path: string, bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new Bad(path, 'is not JSON');
  }
}

/**
 * Checks a mailbox export (`GET /v1/mailbox/export`) file by file as it is read, with the
 * platform's public keys only:
 *
 * - the tree head's signature; every receipt's signature, that it is about its letter and
 *   this mailbox, and its RFC 9162 inclusion proof against that head (and the same proof for
 *   any access-log entry that carries one);
 * - every document against the hash its letter's signed receipts state (plaintext, or the
 *   ciphertext for end-to-end documents), so a changed document is caught even if the
 *   manifest was changed with it;
 * - manifest.json against manifest.jws, and every file against the manifest, so no file was
 *   changed, added or dropped.
 *
 * The verdict names the first bad file in archive order.
 */
export class ExportArchiveVerifier {
  private readonly keys: VerificationKeys;
  private ordinal = 0;
  private failure: Failure | null = null;
  private readonly seen = new Map<string, { sha256: string; size: number; ordinal: number }>();
  private head: (TreeHeadPayload & { root: Buffer }) | null = null;
  private readonly letters = new Map<string, LetterState>();
  private recipientRef: string | null = null;
  private manifest: { value: ExportManifest; sha256: string; ordinal: number } | null = null;
  private signatureChecked = false;
  private readonly counts = {
    documents: 0,
    proven: 0,
    notYetInLog: 0,
    accessLogEntries: 0,
    provenAccessLogEntries: 0,
    accessLogEvidenceEntries: 0,
  };

  constructor(jwks: readonly JWK[] | VerificationKeys) {
    this.keys = VerificationKeys.from(jwks);
  }

  /** Feeds the next file of the archive. */
  async push(path: string, bytes: Buffer): Promise<void> {
    const ordinal = this.ordinal++;
    if (this.seen.has(path)) {
      this.fail({ ordinal, item: path, reason: 'appears twice in the archive' });
      return;
    }
    this.seen.set(path, { sha256: sha256Hex(bytes), size: bytes.length, ordinal });
    // After the first failure the rest is only hashed: a manifest line of an earlier file may
    // still name an earlier bad item.
    const manifestPart = path === EXPORT_PATHS.manifest || path === EXPORT_PATHS.manifestJws;
    if (this.failure && !manifestPart) return;
    try {
      await this.check(path, bytes, ordinal);
    } catch (err) {
      this.fail({
        ordinal,
        item: err instanceof Bad ? err.item : path,
        reason: message(err),
      });
    }
  }

  async finish(): Promise<ExportVerdict> {
    const failures = this.failure ? [this.failure] : [];
    const manifestFailure = this.checkAgainstManifest();
    if (manifestFailure) failures.push(manifestFailure);
    if (failures.length > 0) {
      const first = failures.reduce((a, b) => (b.ordinal < a.ordinal ? b : a));
      return { ok: false, item: first.item, reason: first.reason };
    }
    return {
      ok: true,
      summary: {
        recipientRef: this.manifest!.value.recipientRef,
        treeSize: this.head!.treeSize,
        letters: this.letters.size,
        documents: this.counts.documents,
        receipts: { proven: this.counts.proven, notYetInLog: this.counts.notYetInLog },
        accessLogEntries: this.counts.accessLogEntries,
        provenAccessLogEntries: this.counts.provenAccessLogEntries,
        accessLogEntriesInLog: this.counts.accessLogEvidenceEntries,
        files: this.seen.size,
      },
    };
  }

  private fail(failure: Failure): void {
    if (!this.failure || failure.ordinal < this.failure.ordinal) this.failure = failure;
  }

  private async check(path: string, bytes: Buffer, ordinal: number): Promise<void> {
    const part = partOf(path);
    if (!part) throw new Bad(path, 'is not a file a mailbox export contains');
    if (this.manifest && part.kind !== 'manifestJws')
      throw new Bad(path, 'comes after the manifest');
    switch (part.kind) {
      case 'readme':
        return;
      case 'treeHead':
        return this.readHead(path, bytes);
      case 'letter':
        return this.readLetter(path, part.letterId, bytes);
      case 'receipts':
        return this.readReceipts(path, part.letterId, bytes);
      case 'document':
        return this.readDocument(path, part.letterId, bytes);
      case 'accessLog':
        return this.readAccessLog(path, bytes);
      case 'accessLogEvidence':
        return this.readAccessLogEvidence(path, bytes);
      case 'manifest':
        this.manifest = {
          value: this.parsed(path, () => parseManifest(parseJson(path, bytes))),
          sha256: sha256Hex(bytes),
          ordinal,
        };
        return;
      case 'manifestJws':
        return this.readManifestSignature(path, bytes);
    }
  }

  private parsed<T>(path: string, parse: () => T): T {
    try {
      return parse();
    } catch (err) {
      throw err instanceof Bad ? err : new Bad(path, message(err));
    }
  }

  private headOrFail(path: string): TreeHeadPayload & { root: Buffer } {
    if (!this.head) throw new Bad(path, 'comes before the tree head');
    return this.head;
  }

  private async readHead(path: string, bytes: Buffer): Promise<void> {
    const value = parseJson(path, bytes);
    if (!isObject(value) || typeof value.jws !== 'string') throw new Bad(path, 'has no jws');
    let signed: TreeHeadPayload;
    try {
      signed = await verifyTreeHead(value.jws, this.keys);
    } catch (err) {
      throw new Bad(path, `the tree head does not verify: ${message(err)}`);
    }
    for (const field of ['treeSize', 'rootHash', 'timestamp'] as const) {
      if (field in value && value[field] !== signed[field])
        throw new Bad(path, `${field} differs from the signed ${field}`);
    }
    this.head = { ...signed, root: Buffer.from(signed.rootHash, 'base64url') };
  }

  private readLetter(path: string, letterId: string, bytes: Buffer): void {
    const value = parseJson(path, bytes) as Partial<ExportedLetter>;
    if (!isObject(value) || value.id !== letterId)
      throw new Bad(path, `does not describe letter ${letterId}`);
    if (!Array.isArray(value.documents)) throw new Bad(path, 'has no documents list');
    const documents = new Map<string, ExportedDocument & { index: number }>();
    value.documents.forEach((doc, index) => {
      if (!isObject(doc) || (doc.content !== 'plaintext' && doc.content !== 'openpgp'))
        throw new Bad(path, `document ${index + 1} is not described`);
      if (doc.path !== null) documents.set(String(doc.path), { ...doc, index });
    });
    this.letters.set(letterId, {
      endToEnd: value.endToEnd === true,
      documents,
      signedHashes: null,
    });
  }

  private async readReceipts(path: string, letterId: string, bytes: Buffer): Promise<void> {
    const letter = this.letters.get(letterId);
    if (!letter) throw new Bad(path, 'comes before its letter.json');
    const head = this.headOrFail(path);
    const value = parseJson(path, bytes);
    if (!isObject(value) || !Array.isArray(value.receipts)) throw new Bad(path, 'has no receipts');
    const hashes: (string | null)[] = [];
    for (const [i, entry] of (value.receipts as unknown[]).entries()) {
      const item = `${path} receipt ${i + 1}`;
      if (!isObject(entry) || typeof entry.jws !== 'string') throw new Bad(item, 'has no jws');
      let receipt;
      try {
        receipt = await verifyReceipt(entry.jws, this.keys);
      } catch (err) {
        throw new Bad(item, `does not verify: ${message(err)}`);
      }
      if (receipt.letterId !== letterId) throw new Bad(item, `is about letter ${receipt.letterId}`);
      this.sameRecipient(item, receipt.recipientRef);
      if (this.checkProof(item, entry as unknown as ProvenEntry, receipt.logIndex, head))
        this.counts.proven++;
      else this.counts.notYetInLog++;
      receipt.documents.forEach((doc, d) => {
        const signed = letter.endToEnd ? doc.ciphertextSha256 : doc.plaintextSha256;
        if (!signed) return;
        if (hashes[d] && hashes[d] !== signed)
          throw new Bad(item, `states another hash for document ${d + 1} than an earlier receipt`);
        hashes[d] = signed;
      });
    }
    letter.signedHashes = hashes;
  }

  /**
   * RFC 9162 inclusion of `entry.jws` at `logIndex` in the archive's tree head: true when
   * proven, false for an entry the head does not cover yet; throws otherwise.
   */
  private checkProof(
    item: string,
    entry: ProvenEntry,
    logIndex: number,
    head: TreeHeadPayload & { root: Buffer },
  ): boolean {
    const proof = entry.inclusionProof;
    if (proof === null || proof === undefined) {
      if (logIndex < head.treeSize)
        throw new Bad(
          item,
          `has no inclusion proof, though the tree head covers entry ${logIndex}`,
        );
      return false;
    }
    if (!isObject(proof) || !Array.isArray(proof.path))
      throw new Bad(item, 'has a malformed inclusion proof');
    if (proof.leafIndex !== logIndex)
      throw new Bad(item, `proves entry ${String(proof.leafIndex)}, not its own ${logIndex}`);
    if (proof.treeSize !== head.treeSize)
      throw new Bad(item, `proof is against tree size ${String(proof.treeSize)}, not the head's`);
    const path = proof.path.map((p) => Buffer.from(String(p), 'base64url'));
    const leaf = hashLeaf(Buffer.from(entry.jws, 'utf8'));
    if (!verifyInclusion(leaf, logIndex, head.treeSize, path, head.root))
      throw new Bad(item, 'inclusion proof does not lead to the signed root');
    return true;
  }

  private sameRecipient(item: string, recipientRef: string): void {
    this.recipientRef ??= recipientRef;
    if (recipientRef !== this.recipientRef) throw new Bad(item, 'is for another mailbox');
  }

  private readDocument(path: string, letterId: string, bytes: Buffer): void {
    const letter = this.letters.get(letterId);
    const doc = letter?.documents.get(path);
    if (!letter || !doc) throw new Bad(path, "is not one of its letter.json's documents");
    if (!letter.signedHashes) throw new Bad(path, 'comes before its receipts.json');
    const signed = letter.signedHashes[doc.index];
    const what = doc.content === 'openpgp' ? 'ciphertext' : 'plaintext';
    if (signed && sha256Hex(bytes) !== signed)
      throw new Bad(path, `does not hash to the ${what} SHA-256 its signed receipts state`);
    this.counts.documents++;
  }

  /** The access log against the transparency log, as `evidence verify-access-log` checks it. */
  private async readAccessLogEvidence(path: string, bytes: Buffer): Promise<void> {
    const check = await verifyAccessLogEvidence(parseJson(path, bytes), this.keys);
    if (!check.ok) throw new Bad(path, check.problems[0] ?? 'the access log does not verify');
    this.counts.accessLogEvidenceEntries = check.entries;
  }

  private readAccessLog(path: string, bytes: Buffer): void {
    const value = parseJson(path, bytes);
    if (!isObject(value) || !Array.isArray(value.entries)) throw new Bad(path, 'has no entries');
    for (const [i, entry] of (value.entries as unknown[]).entries()) {
      this.counts.accessLogEntries++;
      if (!isObject(entry) || entry.proof === undefined) continue;
      const proof = entry.proof;
      const item = `${path} entry ${i + 1}`;
      if (!isObject(proof) || typeof proof.jws !== 'string')
        throw new Bad(item, 'proof has no jws');
      const leafIndex = isObject(proof.inclusionProof) ? proof.inclusionProof.leafIndex : null;
      if (typeof leafIndex !== 'number') throw new Bad(item, 'proof has no inclusion proof');
      const head = this.headOrFail(path);
      if (this.checkProof(item, proof as unknown as ProvenEntry, leafIndex, head))
        this.counts.provenAccessLogEntries++;
    }
  }

  private async readManifestSignature(path: string, bytes: Buffer): Promise<void> {
    const manifest = this.manifest;
    if (!manifest) throw new Bad(path, 'comes before manifest.json');
    let signed;
    try {
      signed = await verifyManifestSignature(bytes.toString('utf8').trim(), this.keys);
    } catch (err) {
      throw new Bad(path, `does not verify: ${message(err)}`);
    }
    const item = EXPORT_PATHS.manifest;
    if (signed.manifestSha256 !== manifest.sha256)
      throw new Bad(item, 'is not the manifest the platform signed');
    const { value } = manifest;
    if (signed.recipientRef !== value.recipientRef || signed.treeSize !== value.treeSize)
      throw new Bad(item, 'differs from what manifest.jws signs');
    if (this.recipientRef !== null && this.recipientRef !== value.recipientRef)
      throw new Bad(item, "names another mailbox than the archive's receipts");
    if (this.head && this.head.treeSize !== value.treeSize)
      throw new Bad(item, 'names another tree size than tree-head.json');
    this.signatureChecked = true;
  }

  /** Every file as the manifest lists it, and nothing else; null when all agree. */
  private checkAgainstManifest(): Failure | null {
    const end = Number.MAX_SAFE_INTEGER;
    const required = [EXPORT_PATHS.readme, EXPORT_PATHS.treeHead, EXPORT_PATHS.manifestJws];
    for (const path of [...required, EXPORT_PATHS.manifest]) {
      if (!this.seen.has(path)) return { ordinal: end, item: path, reason: 'is missing' };
    }
    if (!this.manifest || !this.signatureChecked) return null; // failed already, named above
    const failures: Failure[] = [];
    const listed = new Set<string>();
    for (const file of this.manifest.value.files) {
      listed.add(file.path);
      const seen = this.seen.get(file.path);
      if (!seen) {
        failures.push({ ordinal: end, item: file.path, reason: 'is in the manifest but missing' });
      } else if (seen.sha256 !== file.sha256 || seen.size !== file.size) {
        failures.push({
          ordinal: seen.ordinal,
          item: file.path,
          reason: 'does not match its SHA-256 in the manifest',
        });
      }
    }
    for (const [path, seen] of this.seen) {
      if (path === EXPORT_PATHS.manifest || path === EXPORT_PATHS.manifestJws) continue;
      if (!listed.has(path))
        failures.push({ ordinal: seen.ordinal, item: path, reason: 'is not in the manifest' });
    }
    for (const [letterId, letter] of this.letters) {
      for (const path of letter.documents.keys()) {
        if (!this.seen.has(path))
          failures.push({
            ordinal: end,
            item: path,
            reason: `letter ${letterId} lists it, missing`,
          });
      }
    }
    return failures.reduce<Failure | null>((a, b) => (!a || b.ordinal < a.ordinal ? b : a), null);
  }
}
