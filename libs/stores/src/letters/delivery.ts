import { LETTER_STATES, type LetterState } from '#lifecycle';
import { bool, bytes, date, int, json, nullable, oneOf, text } from '../columns';
import { decodeJob, type StagedJob } from '../outbox.store';
import type { UnsequencedPayload } from '../receipts.store';
import type { Row, Sql } from '../sql';
import { decodeCandidate, type CandidateCursor } from '../keyset';
import { deliveryStatement } from './delivery-statement';

const state = oneOf(LETTER_STATES);

/** An agency's signing key as delivery verifies against it (the shape of #crypto's key). */
export interface DeliverySigningKey {
  fingerprint: string;
  publicKeyArmored: string;
  addedAt: Date;
  revokedAt: Date | null;
}

/** A letter as the worker reads it before delivery: its mailbox and its agency's keys with it. */
export interface LetterForDelivery {
  id: string;
  state: LetterState;
  agencyId: string;
  createdAt: Date;
  publishAt: Date | null;
  verified: boolean;
  requiresAcknowledgement: boolean;
  endToEnd: boolean;
  reminderAfterDays: number;
  mailbox: {
    id: string;
    /** A person who reserved against digital post (an organisation never is). */
    reserved: boolean;
    recipientRef: string;
    wrappedDataKey: Buffer | null;
    masterKeyVersion: number;
  };
  agencyKeys: DeliverySigningKey[];
}

/** A document as received, before verification; `received` is gone once it is delivered. */
export interface ReceivedDocument {
  id: string;
  position: number;
  filename: string;
  received: Buffer | null;
  receivedSignature: Buffer | null;
  receivedSha256: string;
  plaintextSha256: string | null;
}

/**
 * What verification stores per document. End-to-end documents have no `sealed` or
 * `signature`: they keep their received bytes, copied inside the database.
 */
export interface VerifiedDocument {
  id: string;
  sealed: Buffer | null;
  plaintextSha256: Buffer | null;
  size: number;
  signature: Buffer | null;
  signer: string;
}

/** The letter's state under its lock, for the delivery that was not due or that lost a race. */
export interface ClaimedLetter {
  state: LetterState;
  verified: boolean;
  requiresAcknowledgement: boolean;
}

/** A move the lifecycle allowed, with everything that commits with it. */
export interface DeliveryMove {
  letterId: string;
  from: LetterState;
  to: LetterState;
  /** Whether the letter was verified when it was read: the move applies only if still so. */
  wasVerified: boolean;
  receipt: { id: string; agencyId: string; type: string; at: string; payload: UnsequencedPayload };
  jobs: { queue: string; jobId: string; subjectId: string }[];
  /** Sealed documents to store with the move; empty when they were stored before. */
  documents: VerifiedDocument[];
}

/** A letter forwarded to print, with what unsealing its documents needs. */
export interface LetterForPrint {
  state: LetterState;
  title: string;
  agencyId: string;
  endToEnd: boolean;
  spooledAt: Date | null;
  mailbox: { id: string; wrappedDataKey: Buffer | null; masterKeyVersion: number };
}

export interface DocumentForPrint {
  id: string;
  position: number;
  filename: string;
  sealed: Buffer | null;
}

// The keys arrive as json built by the statement below; each is checked, not trusted.
const decodeKey = (k: {
  fingerprint?: unknown;
  publicKeyArmored?: unknown;
  addedAt?: unknown;
  revokedAt?: unknown;
}): DeliverySigningKey => {
  if (typeof k.fingerprint !== 'string' || typeof k.publicKeyArmored !== 'string')
    throw new TypeError('agency_keys: expected fingerprint and publicKeyArmored');
  if (typeof k.addedAt !== 'number') throw new TypeError('agency_keys: expected addedAt');
  return {
    fingerprint: k.fingerprint,
    publicKeyArmored: k.publicKeyArmored,
    addedAt: new Date(k.addedAt),
    revokedAt: typeof k.revokedAt === 'number' ? new Date(k.revokedAt) : null,
  };
};

const decodeLetter =
  (id: string) =>
  (r: Row): LetterForDelivery => {
    const keys = json(r, 'agency_keys');
    if (!Array.isArray(keys)) throw new TypeError('agency_keys: expected a json array');
    return {
      id,
      state: state(r, 'state'),
      agencyId: text(r, 'agency_id'),
      createdAt: date(r, 'created_at'),
      publishAt: nullable(date)(r, 'publish_at'),
      verified: bool(r, 'verified'),
      requiresAcknowledgement: bool(r, 'requires_acknowledgement'),
      endToEnd: bool(r, 'end_to_end'),
      reminderAfterDays: int(r, 'reminder_after_days'),
      mailbox: {
        id: text(r, 'mailbox_id'),
        reserved: bool(r, 'reserved'),
        recipientRef: text(r, 'recipient_ref'),
        wrappedDataKey: nullable(bytes)(r, 'wrapped_data_key'),
        masterKeyVersion: int(r, 'master_key_version'),
      },
      agencyKeys: keys.map(decodeKey),
    };
  };

const decodeReceived = (r: Row): ReceivedDocument => ({
  id: text(r, 'id'),
  position: int(r, 'position'),
  filename: text(r, 'filename'),
  received: nullable(bytes)(r, 'received'),
  receivedSignature: nullable(bytes)(r, 'received_signature'),
  receivedSha256: text(r, 'received_sha256'),
  plaintextSha256: nullable(text)(r, 'plaintext_sha256'),
});

/** The states the reconciler looks in; each has a partial index (a custom plan sees the value). */
const AWAITING_DELIVERY: LetterState = 'accepted';
const AWAITING_PRINT: LetterState = 'forwarded_to_print';

/** Letters and their documents as the worker delivers, rejects and prints them. */
export class LetterDeliveryStore {
  constructor(private readonly sql: Sql) {}

  /** The letter, its mailbox and its agency's keys in one round trip. */
  readForDelivery(letterId: string): Promise<LetterForDelivery | null> {
    // Key times in whole milliseconds, as the driver reads every other timestamp.
    return this.sql.maybeOne(
      `SELECT l.state, l.agency_id, l.created_at, l.publish_at, l.verified_at IS NOT NULL AS verified,
              l.requires_acknowledgement, l.end_to_end, l.reminder_after_days, mb.id AS mailbox_id,
              -- Reserving against digital post is a person's choice: an organisation's letters
              -- are always delivered, never printed.
              (mb.reserved AND mb.kind = 'person') AS reserved, mb.recipient_ref,
              mb.wrapped_data_key, mb.master_key_version,
              COALESCE((SELECT json_agg(json_build_object(
                  'fingerprint', k.fingerprint, 'publicKeyArmored', k.public_key,
                  'addedAt', floor(extract(epoch FROM k.added_at) * 1000),
                  'revokedAt', floor(extract(epoch FROM k.revoked_at) * 1000)))
                FROM agency_signing_keys k WHERE k.agency_id = l.agency_id), '[]') AS agency_keys
         FROM letters l JOIN mailboxes mb ON mb.id = l.mailbox_id WHERE l.id = $1`,
      [letterId],
      decodeLetter(letterId),
    );
  }

  /** The letter's documents in order, with what they were received as. */
  receivedDocuments(letterId: string): Promise<ReceivedDocument[]> {
    return this.sql.rows(
      `SELECT id, position, filename, received, received_signature,
              encode(received_sha256, 'hex') AS received_sha256,
              encode(plaintext_sha256, 'hex') AS plaintext_sha256
         FROM documents WHERE letter_id = $1 ORDER BY position`,
      [letterId],
      decodeReceived,
    );
  }

  /** Locks the letter row (lock order everywhere: the letter first, then its documents). */
  async claimForDelivery(tx: Sql, letterId: string): Promise<ClaimedLetter> {
    const claimed = await tx.maybeOne(
      `SELECT state, verified_at IS NOT NULL AS verified, requires_acknowledgement
         FROM letters WHERE id = $1 FOR UPDATE`,
      [letterId],
      (r) => ({
        state: state(r, 'state'),
        verified: bool(r, 'verified'),
        requiresAcknowledgement: bool(r, 'requires_acknowledgement'),
      }),
    );
    if (!claimed) throw new Error(`letter ${letterId} vanished during delivery`);
    return claimed;
  }

  /**
   * Delivery in one statement, so one round trip and one commit. Returns the staged jobs, or
   * null when the letter has changed since it was read (then nothing was written).
   */
  async deliverIfStill(move: DeliveryMove, tx: Sql = this.sql): Promise<StagedJob[] | null> {
    const statement = deliveryStatement(move);
    const staged = await tx.rows(statement.text, statement.params, decodeJob);
    return staged.length > 0 ? staged : null;
  }

  /**
   * A letter verified before its `publishAt`: the sealed documents are stored and the received
   * ones kept until delivery. One statement per document, each also setting the letter's
   * `verified_at`, so the bytes go in the binary protocol without an extra round trip. An
   * end-to-end document is stored as received: its bytes are copied inside the database.
   */
  async storeVerified(
    tx: Sql,
    letterId: string,
    documents: readonly VerifiedDocument[],
  ): Promise<void> {
    for (const d of documents) {
      await tx.run(
        `WITH stored AS (
           UPDATE documents SET sealed = COALESCE($3, received), plaintext_sha256 = $4, size = $5,
                  signature = COALESCE($6, received_signature), signer_fingerprint = $7
            WHERE id = $2 AND letter_id = $1 RETURNING id
         )
         UPDATE letters SET verified_at = now() WHERE id = $1 AND EXISTS (SELECT 1 FROM stored)`,
        [letterId, d.id, d.sealed, d.plaintextSha256, d.size, d.signature, d.signer],
      );
    }
  }

  /** A rejected letter keeps no bytes it was sent; the hashes stay as evidence. */
  async dropReceived(tx: Sql, letterId: string): Promise<void> {
    await tx.run('UPDATE documents SET received = NULL WHERE letter_id = $1', [letterId]);
  }

  /** The letter and its mailbox's key, in one round trip. */
  readForPrint(letterId: string): Promise<LetterForPrint | null> {
    return this.sql.maybeOne(
      `SELECT l.state, l.title, l.agency_id, l.end_to_end, l.spooled_at,
              mb.id AS mailbox_id, mb.wrapped_data_key, mb.master_key_version
         FROM letters l JOIN mailboxes mb ON mb.id = l.mailbox_id WHERE l.id = $1`,
      [letterId],
      (r) => ({
        state: state(r, 'state'),
        title: text(r, 'title'),
        agencyId: text(r, 'agency_id'),
        endToEnd: bool(r, 'end_to_end'),
        spooledAt: nullable(date)(r, 'spooled_at'),
        mailbox: {
          id: text(r, 'mailbox_id'),
          wrappedDataKey: nullable(bytes)(r, 'wrapped_data_key'),
          masterKeyVersion: int(r, 'master_key_version'),
        },
      }),
    );
  }

  documentsForPrint(letterId: string): Promise<DocumentForPrint[]> {
    return this.sql.rows(
      'SELECT id, position, filename, sealed FROM documents WHERE letter_id = $1 ORDER BY position',
      [letterId],
      (r) => ({
        id: text(r, 'id'),
        position: int(r, 'position'),
        filename: text(r, 'filename'),
        sealed: nullable(bytes)(r, 'sealed'),
      }),
    );
  }

  /** Only the first spool counts: a job that runs again does not move the time. */
  async markSpooled(letterId: string): Promise<void> {
    await this.sql.run(
      'UPDATE letters SET spooled_at = now() WHERE id = $1 AND spooled_at IS NULL',
      [letterId],
    );
  }

  /**
   * Accepted letters (due, if scheduled) that have waited longer than `staleSecs`, after the
   * cursor, in cursor order: the reconciler gives each a deliver job again if it has none.
   */
  lettersToDeliverAgain(
    bulk: boolean,
    staleSecs: number,
    after: CandidateCursor,
    limit: number,
  ): Promise<CandidateCursor[]> {
    return this.sql.rows(
      `SELECT id, created_at::text AS at FROM letters
        WHERE state = $5 AND created_at < now() - make_interval(secs => $1)
          AND (publish_at IS NULL OR publish_at < now() - make_interval(secs => $1))
          AND (created_at, id) > ($2::timestamptz, $3::uuid) AND bulk = $6
        ORDER BY created_at, id LIMIT $4`,
      [staleSecs, after.at, after.id, limit, AWAITING_DELIVERY, bulk],
      decodeCandidate,
    );
  }

  /**
   * Forwarded but never handed to print. An end-to-end letter cannot be printed (submission
   * and delivery refuse them now); one forwarded before that would only fail again.
   */
  lettersToPrintAgain(
    staleSecs: number,
    after: CandidateCursor,
    limit: number,
  ): Promise<CandidateCursor[]> {
    return this.sql.rows(
      `SELECT id, created_at::text AS at FROM letters
        WHERE state = $5 AND spooled_at IS NULL AND NOT end_to_end
          AND created_at < now() - make_interval(secs => $1)
          AND (created_at, id) > ($2::timestamptz, $3::uuid)
        ORDER BY created_at, id LIMIT $4`,
      [staleSecs, after.at, after.id, limit, AWAITING_PRINT],
      decodeCandidate,
    );
  }
}
