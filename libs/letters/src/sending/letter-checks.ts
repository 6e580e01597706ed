import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import {
  OpenPgpError,
  decodeDocumentContent,
  inspectMessage,
  sha256,
  streamedDocumentContent,
  type DecodedBase64,
  type OpenPgpLimits,
} from '#crypto';
import { DomainError, invalid } from '#errors';
import { citizenEncryptionKeyIds } from '../mailbox/end-to-end';
import {
  reservedAgainstDigitalPost,
  type MailboxDirectory,
  type RecipientNumber,
} from '../mailbox/mailbox-directory';
import type { LetterSubmission } from './submission-schema';
import { toDomainError } from './openpgp-errors';

/** Things submission needs from the platform key, read once at start-up. */
export interface PlatformKeyInfo {
  encryptionKeyIds: string[];
}

export interface CheckedDocument {
  filename: string;
  mediaType: string;
  bytes: Uint8Array;
  sha256: Buffer;
  signatureBytes: Buffer | null;
}

/** A letter that passed every check made before anything is stored. */
export interface CheckedLetter {
  submission: LetterSubmission;
  endToEnd: boolean;
  documents: CheckedDocument[];
}

/**
 * The checks a letter passes before it is stored, the same for a single letter and for each
 * letter of a batch: the recipient's number, then cheap OpenPGP form checks of every document.
 * Each failure is a DomainError with the 4xx the agency is answered.
 */
export class LetterChecks {
  constructor(
    private readonly db: DataSource,
    private readonly mailboxes: MailboxDirectory,
    private readonly platform: PlatformKeyInfo,
    private readonly limits: OpenPgpLimits,
  ) {}

  async check(
    submission: LetterSubmission,
    streamed: ReadonlyMap<string, DecodedBase64>,
  ): Promise<CheckedLetter> {
    this.mailboxes.assertValidRecipient(submission.recipient);
    const endToEnd = submission.documents.some((d) => d.signature !== undefined);
    const documents = await this.checkDocuments(
      submission,
      streamed,
      endToEnd ? await this.recipientKeyIds(submission.recipient) : null,
    );
    return { submission, endToEnd, documents };
  }

  /**
   * End-to-end letters (DESIGN "Encryption and signatures") go only to a mailbox with a
   * registered key; their documents must be encrypted to that key instead of the platform's.
   * A reserved recipient's letters go to print, which cannot read a document only the citizen
   * can decrypt: such a letter would be lost, so it is refused and the agency prints it.
   */
  private async recipientKeyIds(recipient: RecipientNumber): Promise<string[]> {
    const mailbox = await this.mailboxes.findRecipient(this.db.manager, recipient);
    if (reservedAgainstDigitalPost(mailbox)) {
      throw new DomainError(
        409,
        'recipient.reserved_end_to_end',
        'documents[].signature: the recipient has reserved against digital post, so their letters are printed, and the platform cannot print an end-to-end letter; send it unencrypted to the platform, or print and post it yourself',
      );
    }
    if (!mailbox?.publicKey) {
      throw new DomainError(
        400,
        'letter.end_to_end_unavailable',
        'documents[].signature: end-to-end letters are not accepted for this recipient, who has no registered key',
      );
    }
    return citizenEncryptionKeyIds(mailbox.publicKey);
  }

  /** `recipientKeyIds` is set for an end-to-end letter, where every document is signed. */
  private async checkDocuments(
    submission: LetterSubmission,
    streamed: ReadonlyMap<string, DecodedBase64>,
    recipientKeyIds: string[] | null,
  ): Promise<CheckedDocument[]> {
    const checked = [];
    for (const [index, doc] of submission.documents.entries()) {
      const field = `documents[${index}].content`;
      if (recipientKeyIds && doc.signature === undefined) {
        throw invalid(
          'letter.signature_missing',
          `documents[${index}].signature: every document of an end-to-end letter needs the agency's detached signature`,
          { field: `documents[${index}].signature` },
        );
      }
      try {
        const received = streamed.get(doc.content);
        const { bytes, sha256: hash } = received
          ? streamedDocumentContent(received, this.limits)
          : hashed(decodeDocumentContent(doc.content, this.limits));
        if (recipientKeyIds) {
          await inspectMessage(bytes, recipientKeyIds, this.limits).catch((error: unknown) => {
            throw error instanceof OpenPgpError &&
              error.code === 'openpgp.not_encrypted_to_platform'
              ? new DomainError(
                  400,
                  'openpgp.not_encrypted_to_recipient',
                  `${field}: an end-to-end document must be encrypted to the recipient's registered key (${recipientKeyIds.join(', ')})`,
                  { field },
                )
              : error;
          });
        } else {
          await inspectMessage(bytes, this.platform.encryptionKeyIds, this.limits);
        }
        const signatureBytes =
          doc.signature === undefined ? null : decodeSignature(doc.signature, index);
        checked.push({
          filename: doc.filename,
          mediaType: doc.mediaType,
          bytes,
          sha256: hash,
          signatureBytes,
        });
      } catch (error) {
        throw toDomainError(error, field);
      }
    }
    return checked;
  }
}

/**
 * What the idempotency record keeps of a letter: the SHA-256 of its parsed fields with sorted
 * keys, each streamed document standing for the SHA-256 of its decoded bytes. So a letter sent
 * alone and again inside a batch (another request body altogether) is the same letter, and
 * spacing or key order do not make a different one.
 */
export function submissionSha256(
  submission: LetterSubmission,
  streamed: ReadonlyMap<string, DecodedBase64>,
): Buffer {
  const documents = submission.documents.map((d) => {
    const decoded = streamed.get(d.content);
    if (!decoded) return d;
    return { ...d, content: 'sha256' in decoded ? `sha256:${decoded.sha256.toString('hex')}` : '' };
  });
  return createHash('sha256')
    .update(sortedJson({ ...submission, documents }))
    .digest();
}

function sortedJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

function hashed(bytes: Uint8Array) {
  return { bytes, sha256: sha256(bytes) };
}

/** Armor is kept as sent (openpgp reads it); otherwise standard base64 of the binary form. */
function decodeSignature(signature: string, index: number): Buffer {
  if (signature.includes('-----BEGIN PGP SIGNATURE-----')) return Buffer.from(signature, 'utf8');
  const bytes = /^[A-Za-z0-9+/]+={0,2}$/.test(signature) ? Buffer.from(signature, 'base64') : null;
  if (!bytes || bytes.length === 0 || bytes.length > 64 * 1024) {
    throw invalid(
      'openpgp.malformed',
      `documents[${index}].signature: must be an armored signature or base64 of a binary one`,
      { field: `documents[${index}].signature` },
    );
  }
  return bytes;
}
