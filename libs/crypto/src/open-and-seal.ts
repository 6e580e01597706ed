import { seal } from './envelope';
import { sha256 } from './hash';
import { openDocument, type OpenDocumentOptions } from './open';

/** A document as stored once delivered: sealed at rest, with what its receipts record. */
export interface SealedDocument {
  sealed: Buffer;
  plaintextSha256: Buffer;
  size: number;
  detachedSignature: Uint8Array;
  signerFingerprint: string;
}

export interface SealOptions {
  /** The mailbox's data key. */
  key: Buffer;
  /** `documentAad(letterId, documentId, keyVersion)`. */
  aad: Buffer;
}

/**
 * Decrypts, verifies and seals in one step, so that in the worker the plaintext exists only in
 * the thread that decrypted it and never crosses to the thread that talks to the database.
 */
export async function openAndSeal(
  bytes: Uint8Array,
  options: OpenDocumentOptions & { seal: SealOptions },
): Promise<SealedDocument> {
  const opened = await openDocument(bytes, options);
  return {
    sealed: seal(options.seal.key, opened.plaintext, options.seal.aad),
    plaintextSha256: sha256(opened.plaintext),
    size: opened.plaintext.byteLength,
    detachedSignature: opened.detachedSignature,
    signerFingerprint: opened.signerFingerprint,
  };
}
