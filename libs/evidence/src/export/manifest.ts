import { createHash } from 'node:crypto';
import type { JWK } from 'jose';
import {
  assertIndex,
  assertNonEmptyString,
  assertShape,
  assertSha256Hex,
  assertTimestamp,
  isObject,
} from '../payload-checks';
import type { SigningKey } from '../signing-key';
import { signTyped, verifyTyped } from '../typed-jws';
import type { VerificationKeys } from '../verification-keys';
import { EXPORT_FORMAT, EXPORT_VERSION } from './layout';

export const EXPORT_MANIFEST_JWS_TYPE = 'postkasse-export-manifest+jws';

export interface ManifestFile {
  path: string;
  /** Lowercase hex. */
  sha256: string;
  size: number;
}

/** manifest.json: every other file of the archive, in the order written. */
export interface ExportManifest {
  format: typeof EXPORT_FORMAT;
  version: typeof EXPORT_VERSION;
  /** Whose mailbox: the recipientRef every receipt of the archive carries. */
  recipientRef: string;
  createdAt: string;
  /** The size of the tree head every proof in the archive is against. */
  treeSize: number;
  files: ManifestFile[];
}

/**
 * What the platform signs in manifest.jws: the manifest's own hash. A file changed together
 * with its line in the manifest is still caught, since the manifest then no longer hashes to
 * what was signed.
 */
export interface ManifestSignaturePayload {
  format: typeof EXPORT_FORMAT;
  version: typeof EXPORT_VERSION;
  manifestSha256: string;
  recipientRef: string;
  createdAt: string;
  treeSize: number;
}

export const sha256Hex = (bytes: Uint8Array): string =>
  createHash('sha256').update(bytes).digest('hex');

/**
 * Collects the hash of each file as it is written, so the archive is never held whole. The
 * lines are kept as the manifest's own JSON text in one growing buffer: at 30,000 files that
 * is about 5 MB, where as many objects held four times as much of the API's heap for the
 * whole export (docs/benchmarks.md, "Mailbox export").
 */
export class ManifestBuilder {
  private text = Buffer.alloc(64 * 1024);
  private length = 0;
  private count = 0;

  add(path: string, bytes: Uint8Array): ManifestFile {
    const file = { path, sha256: sha256Hex(bytes), size: bytes.length };
    this.append(`${this.count++ === 0 ? '' : ',\n'}    ${JSON.stringify(file)}`);
    return file;
  }

  /** manifest.json's bytes: the header fields, then one line per file. */
  toBytes(meta: Pick<ExportManifest, 'recipientRef' | 'createdAt' | 'treeSize'>): Buffer {
    const head: Omit<ExportManifest, 'files'> = {
      format: EXPORT_FORMAT,
      version: EXPORT_VERSION,
      ...meta,
    };
    const opening = `${JSON.stringify(head, null, 2).replace(/\n}$/, '')},\n  "files": [`;
    if (this.count === 0) return Buffer.from(`${opening}]\n}\n`);
    return Buffer.concat([
      Buffer.from(`${opening}\n`),
      this.text.subarray(0, this.length),
      Buffer.from('\n  ]\n}\n'),
    ]);
  }

  private append(line: string): void {
    const needed = this.length + Buffer.byteLength(line);
    if (needed > this.text.length) {
      const grown = Buffer.alloc(Math.max(needed, this.text.length * 2));
      this.text.copy(grown, 0, 0, this.length);
      this.text = grown;
    }
    this.length += this.text.write(line, this.length);
  }
}

export function parseManifestSignature(value: unknown): ManifestSignaturePayload {
  assertShape(value, 'manifest signature', [
    'format',
    'version',
    'manifestSha256',
    'recipientRef',
    'createdAt',
    'treeSize',
  ]);
  if (value.format !== EXPORT_FORMAT || value.version !== EXPORT_VERSION)
    throw new TypeError(`not a ${EXPORT_FORMAT} version ${EXPORT_VERSION} signature`);
  assertSha256Hex(value.manifestSha256, 'manifest signature manifestSha256');
  assertNonEmptyString(value.recipientRef, 'manifest signature recipientRef');
  assertTimestamp(value.createdAt, 'manifest signature createdAt');
  assertIndex(value.treeSize, 'manifest signature treeSize');
  return value as unknown as ManifestSignaturePayload;
}

/** Signs the manifest's bytes as written into the archive. */
export function signManifest(
  manifestBytes: Uint8Array,
  manifest: Pick<ExportManifest, 'recipientRef' | 'createdAt' | 'treeSize'>,
  key: SigningKey,
): Promise<string> {
  const payload: ManifestSignaturePayload = {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    manifestSha256: sha256Hex(manifestBytes),
    recipientRef: manifest.recipientRef,
    createdAt: manifest.createdAt,
    treeSize: manifest.treeSize,
  };
  return signTyped(parseManifestSignature(payload), EXPORT_MANIFEST_JWS_TYPE, key);
}

export async function verifyManifestSignature(
  jws: string,
  keys: readonly JWK[] | VerificationKeys,
): Promise<ManifestSignaturePayload> {
  return parseManifestSignature(await verifyTyped(jws, EXPORT_MANIFEST_JWS_TYPE, keys));
}

/** manifest.json as read back; throws naming what is wrong. */
export function parseManifest(value: unknown): ExportManifest {
  assertShape(value, 'manifest', [
    'format',
    'version',
    'recipientRef',
    'createdAt',
    'treeSize',
    'files',
  ]);
  if (value.format !== EXPORT_FORMAT || value.version !== EXPORT_VERSION)
    throw new TypeError(`manifest is not ${EXPORT_FORMAT} version ${EXPORT_VERSION}`);
  if (!Array.isArray(value.files)) throw new TypeError('manifest files must be an array');
  value.files.forEach((file: unknown, i) => {
    if (!isObject(file)) throw new TypeError(`manifest file ${i} must be an object`);
    assertShape(file, `manifest file ${i}`, ['path', 'sha256', 'size']);
    assertNonEmptyString(file.path, `manifest file ${i} path`);
    assertSha256Hex(file.sha256, `manifest file ${i} sha256`);
    assertIndex(file.size, `manifest file ${i} size`);
  });
  return value as unknown as ExportManifest;
}
