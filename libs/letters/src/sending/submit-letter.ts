import { createHash } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
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
import { DomainError, conflict, invalid } from '#errors';
import { jobIdFor, type Outbox } from '#queue';
import { SenderLettersStore, Sql, type AcceptedLetter } from '#stores';
import { citizenEncryptionKeyIds } from '../mailbox/end-to-end';
import type { MailboxDirectory } from '../mailbox/mailbox-directory';
import { receiptPayload } from '../receipts/receipt-staging';
import { LETTER_LIMITS, type LetterSubmission } from './submission-schema';
import { toDomainError } from './openpgp-errors';

export interface SubmitLetterCommand {
  agencyId: string;
  idempotencyKey: string;
  /** SHA-256 of the raw request body: the same key with another body is refused. */
  requestSha256: Buffer;
  submission: LetterSubmission;
  /**
   * Documents whose base64 was decoded and hashed while the body streamed in, by the
   * placeholder their `content` holds instead.
   */
  streamed?: ReadonlyMap<string, DecodedBase64>;
}

/** What an accepted submission answers, and what a repeat of the request is answered again. */
export type SubmittedLetter = AcceptedLetter;

export interface SubmitLetterResult {
  status: number;
  body: SubmittedLetter;
  replayed: boolean;
}

/** Things submission needs from the platform key, read once at start-up. */
export interface PlatformKeyInfo {
  encryptionKeyIds: string[];
}

/**
 * Takes a letter from an agency: cheap OpenPGP form checks, then the letter, its documents as
 * received, the `accepted` receipt, the outbox row and the idempotency record in one transaction.
 */
export class SubmitLetter {
  private readonly letters: SenderLettersStore;

  constructor(
    private readonly db: DataSource,
    private readonly mailboxes: MailboxDirectory,
    private readonly platform: PlatformKeyInfo,
    private readonly limits: OpenPgpLimits,
    private readonly outbox: Outbox,
  ) {
    this.letters = new SenderLettersStore(new Sql(db));
  }

  async execute(cmd: SubmitLetterCommand): Promise<SubmitLetterResult> {
    const { submission } = cmd;
    this.mailboxes.assertValid(submission.recipient.nationalId, 'recipient.nationalId');
    const endToEnd = submission.documents.some((d) => d.signature !== undefined);
    const documents = await this.checkDocuments(
      submission,
      cmd.streamed ?? new Map(),
      endToEnd ? await this.recipientKeyIds(submission.recipient.nationalId) : null,
    );

    const outcome = await this.db.transaction(async (m) => {
      const tx = new Sql(m);
      // A second request with the same key waits for nothing: while the first transaction is
      // open it is told so (409); afterwards it sees the stored answer.
      if (!(await this.letters.lockIdempotencyKey(tx, cmd.agencyId, cmd.idempotencyKey))) {
        throw conflict(
          'idempotency.in_flight',
          'A request with this Idempotency-Key is still being processed',
        );
      }
      const previous = await this.letters.replayIdempotent(tx, cmd.agencyId, cmd.idempotencyKey);
      if (previous) {
        if (!previous.requestSha256.equals(cmd.requestSha256)) {
          throw new DomainError(
            422,
            'idempotency.key_reused',
            'This Idempotency-Key was used before with a different request body',
          );
        }
        return { status: previous.status, body: previous.response, replayed: true, staged: null };
      }

      const mailbox = await this.mailboxes.findOrCreate(m, submission.recipient.nationalId);
      const letterId = uuidv7();
      const receipt = {
        ...receiptPayload(
          letterId,
          'accepted',
          {
            agencyId: cmd.agencyId,
            recipientRef: mailbox.recipientRef,
            endToEnd,
            documents: documents.map((d) => ({
              received: d.sha256.toString('hex'),
              plaintext: null,
            })),
          },
          {},
        ),
        logIndex: null,
      };
      const body: SubmittedLetter = { id: letterId, state: 'accepted', receipt };
      const staged = await this.letters.insertSubmission(tx, {
        letter: {
          id: letterId,
          agencyId: cmd.agencyId,
          mailboxId: mailbox.id,
          title: submission.title,
          senderReference: submission.senderReference ?? null,
          requiresAcknowledgement: submission.requiresAcknowledgement ?? false,
          reminderAfterDays: submission.reminderAfterDays ?? 7,
          publishAt: submission.publishAt ?? null,
          dueDate: submission.dueDate ?? null,
          endToEnd,
        },
        documents: documents.map((doc, position) => ({
          id: uuidv7(),
          position,
          filename: doc.filename,
          mediaType: doc.mediaType,
          bytes: doc.bytes,
          sha256: doc.sha256,
          signature: doc.signatureBytes,
        })),
        receiptId: uuidv7(),
        idempotency: { key: cmd.idempotencyKey, requestSha256: cmd.requestSha256, status: 202 },
        answer: body,
        job: { queue: 'deliver', jobId: jobIdFor('deliver', letterId) },
      });
      return { status: 202, body, replayed: false, staged };
    });

    if (outcome.staged) await this.outbox.handOver(this.db.manager, [outcome.staged]);
    return { status: outcome.status, body: outcome.body, replayed: outcome.replayed };
  }

  /**
   * End-to-end letters (DESIGN "Encryption and signatures") go only to a mailbox with a
   * registered key; their documents must be encrypted to that key instead of the platform's.
   * A reserved recipient's letters go to print, which cannot read a document only the citizen
   * can decrypt: such a letter would be lost, so it is refused and the agency prints it.
   */
  private async recipientKeyIds(nationalId: string): Promise<string[]> {
    const mailbox = await this.mailboxes.find(this.db.manager, nationalId);
    if (mailbox?.reserved) {
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
  ) {
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
        checked.push({ ...doc, bytes, sha256: hash, signatureBytes });
      } catch (error) {
        throw toDomainError(error, field);
      }
    }
    return checked;
  }
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

export function sha256OfBody(raw: Buffer): Buffer {
  return createHash('sha256').update(raw).digest();
}

export { LETTER_LIMITS };
