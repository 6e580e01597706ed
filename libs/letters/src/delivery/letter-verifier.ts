import {
  OpenPgpError,
  documentAad,
  verifyDetachedSignature,
  type AgencySigningKey,
  type SealOptions,
  type SealedDocument,
} from '#crypto';
import type { LetterForDelivery, ReceivedDocument, VerifiedDocument } from '#stores';
import type { MailboxDirectory } from '../mailbox/mailbox-directory';

/**
 * Decrypts, verifies and seals one document; in production a thread pool with a time limit,
 * so the plaintext never reaches the thread that talks to the database.
 */
export interface DocumentOpener {
  openAndSeal(
    bytes: Uint8Array,
    agencyKeys: AgencySigningKey[],
    at: Date,
    seal: SealOptions,
  ): Promise<SealedDocument>;
}

const TIMEOUT_ATTEMPTS = 3;

export type Verification =
  | { kind: 'verified'; documents: VerifiedDocument[] }
  | { kind: 'rejected'; reason: { code: string; detail: string } };

/**
 * A letter's documents verified and sealed, all at once on the opener's threads: sealed under
 * the mailbox's data key, or for an end-to-end letter only its detached signatures checked.
 */
export class LetterVerifier {
  constructor(
    private readonly mailboxes: MailboxDirectory,
    private readonly opener: DocumentOpener,
  ) {}

  /**
   * `attempt` counts from 1. A time-out on an early attempt may be our own overload, so it is
   * thrown (the job is retried); only a document that keeps timing out rejects the letter.
   */
  async verify(
    letter: LetterForDelivery,
    documents: ReceivedDocument[],
    attempt: number,
  ): Promise<Verification> {
    const dataKey = letter.endToEnd ? null : this.mailboxes.dataKeyOf(letter.mailbox);
    const results = await Promise.allSettled(
      documents.map((doc) =>
        dataKey ? this.openAndSeal(letter, doc, dataKey) : this.checkEndToEnd(letter, doc),
      ),
    );
    const verified: VerifiedDocument[] = [];
    for (const [i, result] of results.entries()) {
      if (result.status === 'fulfilled') {
        verified.push(result.value);
        continue;
      }
      const error: unknown = result.reason;
      if (!(error instanceof OpenPgpError)) throw error;
      if (error.code === 'openpgp.timeout' && attempt < TIMEOUT_ATTEMPTS) throw error;
      const doc = documents[i];
      return {
        kind: 'rejected',
        reason: {
          code: error.code,
          detail: `document ${doc.position + 1} (${doc.filename}): ${error.detail}`,
        },
      };
    }
    return { kind: 'verified', documents: verified };
  }

  private async openAndSeal(
    letter: LetterForDelivery,
    doc: ReceivedDocument,
    dataKey: Buffer,
  ): Promise<VerifiedDocument> {
    const aad = documentAad(letter.id, doc.id, letter.mailbox.masterKeyVersion);
    const sealed = await this.opener.openAndSeal(
      doc.received!,
      letter.agencyKeys,
      letter.createdAt,
      { key: dataKey, aad },
    );
    return {
      id: doc.id,
      sealed: sealed.sealed,
      plaintextSha256: sealed.plaintextSha256,
      size: sealed.size,
      signature: Buffer.from(sealed.detachedSignature),
      signer: sealed.signerFingerprint,
    };
  }

  /**
   * The platform cannot decrypt an end-to-end document: it checks the agency's detached
   * signature over the ciphertext and keeps the document exactly as received (DESIGN
   * "Encryption and signatures").
   */
  private async checkEndToEnd(
    letter: LetterForDelivery,
    doc: ReceivedDocument,
  ): Promise<VerifiedDocument> {
    const { signerFingerprint } = await verifyDetachedSignature(
      doc.received!,
      doc.receivedSignature ?? new Uint8Array(),
      letter.agencyKeys,
      letter.createdAt,
    );
    return {
      id: doc.id,
      sealed: null,
      plaintextSha256: null,
      size: doc.received!.byteLength,
      signature: null,
      signer: signerFingerprint,
    };
  }
}
