import { decodeDocumentContent, inspectSealedTo, readEncryptionKey, sha256 } from '#crypto';
import type { OpenPgpLimits } from '#crypto';
import type { AgencyEncryptionKey } from '#stores';
import { toDomainError } from '../sending/openpgp-errors';
import type { ReplyDocumentSubmission } from './reply-schema';

export interface CheckedReplyDocument {
  filename: string;
  mediaType: string;
  content: Uint8Array;
  sha256: Buffer;
}

/**
 * The form of what a citizen sends an agency, checked without any private key: each document
 * an OpenPGP message within the letters' size limit, made of session keys (one of them for the
 * agency's current encryption key, by key id) and encrypted data, nothing in the clear.
 */
export async function checkReplyDocuments(
  documents: readonly ReplyDocumentSubmission[],
  key: AgencyEncryptionKey,
  limits: OpenPgpLimits,
): Promise<CheckedReplyDocument[]> {
  const { encryptionKeyIds } = await readEncryptionKey(key.publicKey);
  const checked: CheckedReplyDocument[] = [];
  for (const [index, doc] of documents.entries()) {
    const field = `documents[${index}].content`;
    try {
      const content = decodeDocumentContent(doc.content, limits);
      await inspectSealedTo(content, encryptionKeyIds, limits);
      checked.push({
        filename: doc.filename,
        mediaType: doc.mediaType,
        content,
        sha256: sha256(content),
      });
    } catch (error) {
      throw toDomainError(error, field);
    }
  }
  return checked;
}
