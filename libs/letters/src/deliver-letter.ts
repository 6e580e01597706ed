import type { DataSource, EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import {
  OpenPgpError,
  documentAad,
  verifyDetachedSignature,
  type AgencySigningKey,
  type SealOptions,
  type SealedDocument,
} from '#crypto';
import { Outbox, jobIdFor, type OutboxRow, type QueueName } from '#queue';
import { TIMESTAMP_OF, applyTransition, receiptOf } from './letter-transitions';
import { transition, type LetterState } from './lifecycle';
import type { MailboxDirectory } from './mailbox-directory';
import { receiptPayload, type ReceiptFacts } from './receipt-staging';

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

export type DeliveryOutcome =
  { kind: 'done'; state: string } | { kind: 'not_yet'; publishAt: Date };

interface LetterToDeliver {
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
    reserved: boolean;
    recipientRef: string;
    wrappedDataKey: Buffer | null;
    masterKeyVersion: number;
  };
  agencyKeys: AgencySigningKey[];
}

interface ReceivedDocument {
  id: string;
  position: number;
  filename: string;
  received: Buffer | null;
  receivedSignature: Buffer | null;
  receivedSha256: string;
  plaintextSha256: string | null;
}

/** What verification stores per document. End-to-end documents keep their received bytes. */
interface VerifiedDocument {
  id: string;
  sealed: Buffer | null;
  plaintextSha256: Buffer | null;
  size: number;
  signature: Buffer | null;
  signer: string;
}

type Verification =
  | { kind: 'verified'; documents: VerifiedDocument[] }
  | { kind: 'rejected'; reason: { code: string; detail: string } };

const RESERVED_END_TO_END = {
  code: 'recipient.reserved_end_to_end',
  detail:
    'the recipient reserved against digital post before delivery; their letters are printed, which an end-to-end letter cannot be, so the agency must print and post it itself',
};

const done = (state: string): DeliveryOutcome => ({ kind: 'done', state });

/**
 * The worker's `deliver` job: verify on arrival (so a bad letter is rejected at once even when
 * `publishAt` lies ahead), seal the plaintext under the mailbox's data key, then deliver at
 * `publishAt` or hand to print for a reserved recipient. When the letter is due, storing the
 * sealed documents and delivering are one transaction. Runs any number of times; only the
 * first run that finds the letter `accepted` changes anything.
 */
export class DeliverLetter {
  constructor(
    private readonly db: DataSource,
    private readonly mailboxes: MailboxDirectory,
    private readonly opener: DocumentOpener,
    /** When given, the jobs staged with the delivery are handed to the queue at once. */
    private readonly outbox?: Outbox,
  ) {}

  /**
   * `attempt` counts from 1. A time-out on an early attempt may be our own overload, so it is
   * retried; only a document that keeps timing out is rejected.
   */
  async execute(
    letterId: string,
    { attempt = 1, now = () => new Date() }: { attempt?: number; now?: () => Date } = {},
  ): Promise<DeliveryOutcome> {
    const [letter, documents] = await Promise.all([
      this.readLetter(letterId),
      this.readDocuments(letterId),
    ]);
    if (!letter || letter.state !== 'accepted') return done(letter?.state ?? 'missing');
    if (letter.endToEnd && letter.mailbox.reserved) {
      // The citizen reserved after the letter was accepted: print cannot read it (see SubmitLetter).
      await this.reject(letterId, factsOf(letter, documents), RESERVED_END_TO_END);
      return done('rejected');
    }

    let verified: VerifiedDocument[] = [];
    if (!letter.verified) {
      // Another run delivered it between the two reads; the transaction below will see that.
      if (documents.some((d) => !d.received)) return done((await this.readLetter(letterId))!.state);
      const verification = await this.verify(letterId, letter, documents, attempt);
      if (verification.kind === 'rejected') {
        await this.reject(letterId, factsOf(letter, documents), verification.reason);
        return done('rejected');
      }
      verified = verification.documents;
    }
    const due = !letter.publishAt || letter.publishAt <= now();
    const facts = factsOf(letter, documents, verified);
    let moved = due
      ? await this.deliverIfAsRead(this.db.manager, letter, verified, facts, now())
      : null;
    // Not due, or the letter changed since it was read: decide under its lock.
    const outcome = moved
      ? done(moved.state)
      : await this.db.transaction(async (m): Promise<DeliveryOutcome> => {
          // Lock order everywhere: the letter row first, then its documents.
          const [current] = (await m.query(
            `SELECT state, verified_at IS NOT NULL AS verified, requires_acknowledgement
             FROM letters WHERE id = $1 FOR UPDATE`,
            [letterId],
          )) as { state: LetterState; verified: boolean; requires_acknowledgement: boolean }[];
          if (current.state !== 'accepted') return done(current.state);
          const locked = {
            ...letter,
            verified: current.verified,
            requiresAcknowledgement: current.requires_acknowledgement,
          };
          if (!due) {
            if (!locked.verified && verified.length > 0)
              await storeDocuments(m, letterId, verified);
            return { kind: 'not_yet', publishAt: letter.publishAt! };
          }
          moved = await this.deliverIfAsRead(m, locked, verified, facts, now());
          if (!moved) throw new Error(`letter ${letterId} did not move under its lock`);
          return done(moved.state);
        });
    // The relay would hand these over within seconds; doing it now saves the citizen the wait.
    if (this.outbox && moved) await this.outbox.handOver(this.db.manager, moved.staged);
    return outcome;
  }

  /**
   * Delivery in one statement, so one round trip and one commit: the lifecycle decides the move
   * from `letter` as the caller found it, and the statement applies it only if the letter is
   * still in that state and as verified (`moved` is otherwise empty and nothing else runs). With
   * it go the receipt, the outbox rows and the documents' sealed bytes. Returns null when the
   * letter has changed since it was read; under the letter's lock that cannot happen.
   */
  private async deliverIfAsRead(
    m: EntityManager,
    letter: LetterToDeliver,
    verified: VerifiedDocument[],
    facts: ReceiptFacts,
    at: Date,
  ): Promise<{ state: LetterState; staged: OutboxRow[] } | null> {
    const letterId = letter.id;
    const event = letter.mailbox.reserved ? 'forward_to_print' : 'deliver';
    const result = transition(letter.state, event, {
      requiresAcknowledgement: letter.requiresAcknowledgement,
    });
    if (result.kind !== 'moved') return null;
    const storeVerified = !letter.verified && verified.length > 0;
    const receipt = receiptPayload(letterId, receiptOf(event), facts, { at });
    const jobs = jobsAfter(event, letterId, letter);
    const params: unknown[] = [
      letterId,
      result.to,
      result.from,
      letter.verified,
      uuidv7(),
      facts.agencyId,
      receipt.type,
      receipt.at,
      receipt,
      jobs.map((j) => j.queue),
      jobs.map((j) => jobIdFor(j.queue, j.subjectId)),
      jobs.map((j) => j.subjectId),
    ];
    // The letter's timestamp is its receipt's `at` ($8): PostgreSQL refuses a parameter that
    // no part of the statement uses, as it cannot tell its type.
    const column = TIMESTAMP_OF[result.to];
    let documentsWrite = `UPDATE documents SET received = NULL
        WHERE letter_id = $1 AND EXISTS (SELECT 1 FROM moved)`;
    if (storeVerified) {
      // Each document's bytes as a parameter of its own, sent in the binary protocol.
      const rows = verified.map((d) => {
        const first = params.length + 1;
        params.push(d.id, d.sealed, d.plaintextSha256, d.size, d.signature, d.signer);
        return `($${first}::uuid, $${first + 1}::bytea, $${first + 2}::bytea, $${first + 3}::int,
                 $${first + 4}::bytea, $${first + 5}::text)`;
      });
      documentsWrite = `UPDATE documents d SET sealed = COALESCE(v.sealed, d.received),
              plaintext_sha256 = v.plaintext_sha256, size = v.size,
              signature = COALESCE(v.signature, d.received_signature),
              signer_fingerprint = v.signer, received = NULL
         FROM (VALUES ${rows.join(', ')}) AS v(id, sealed, plaintext_sha256, size, signature, signer)
        WHERE d.letter_id = $1 AND d.id = v.id AND EXISTS (SELECT 1 FROM moved)`;
    }
    const staged = (await m.query(
      `WITH moved AS (
         UPDATE letters SET state = $2${column ? `, ${column} = $8::timestamptz` : ''}
                ${storeVerified ? ', verified_at = now()' : ''}
          WHERE id = $1 AND state = $3 AND (verified_at IS NOT NULL) = $4
          RETURNING id
       ), receipt AS (
         INSERT INTO receipts (id, letter_id, agency_id, type, kind, at, payload)
         SELECT $5, id, $6, $7, '', $8, $9 FROM moved
         ON CONFLICT (letter_id, type, kind) DO NOTHING
       ), documents_written AS (
         ${documentsWrite}
       )
       INSERT INTO outbox (queue, job_id, subject_id)
       SELECT t.* FROM moved, unnest($10::text[], $11::text[], $12::uuid[]) AS t
       RETURNING id, queue, subject_id`,
      params,
    )) as OutboxRow[];
    return staged.length > 0 ? { state: result.to, staged } : null;
  }

  private async verify(
    letterId: string,
    letter: LetterToDeliver,
    documents: ReceivedDocument[],
    attempt: number,
  ): Promise<Verification> {
    const dataKey = letter.endToEnd ? null : this.mailboxes.dataKeyOf(letter.mailbox);
    const results = await Promise.allSettled(
      documents.map((doc) =>
        dataKey
          ? this.openAndSeal(letterId, letter, doc, dataKey)
          : this.checkEndToEnd(letter, doc),
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
    letterId: string,
    letter: LetterToDeliver,
    doc: ReceivedDocument,
    dataKey: Buffer,
  ): Promise<VerifiedDocument> {
    const aad = documentAad(letterId, doc.id, letter.mailbox.masterKeyVersion);
    const sealed = await this.opener.openAndSeal(
      doc.received!,
      letter.agencyKeys,
      letter.createdAt,
      {
        key: dataKey,
        aad,
      },
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
    letter: LetterToDeliver,
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

  private async reject(
    letterId: string,
    facts: ReceiptFacts,
    reason: { code: string; detail: string },
  ): Promise<void> {
    await this.db.transaction(async (m) => {
      const applied = await applyTransition(m, letterId, 'reject', { reason, facts });
      if (applied.changed) {
        await m.query('UPDATE documents SET received = NULL WHERE letter_id = $1', [letterId]);
      }
    });
  }

  /** The letter, its mailbox and its agency's keys in one round trip. */
  private async readLetter(letterId: string): Promise<LetterToDeliver | null> {
    // Key times in whole milliseconds, as the driver reads every other timestamp.
    const [row] = (await this.db.query(
      `SELECT l.state, l.agency_id, l.created_at, l.publish_at, l.verified_at IS NOT NULL AS verified,
              l.requires_acknowledgement, l.end_to_end, l.reminder_after_days, mb.id AS mailbox_id, mb.reserved, mb.recipient_ref,
              mb.wrapped_data_key, mb.master_key_version,
              COALESCE((SELECT json_agg(json_build_object(
                  'fingerprint', k.fingerprint, 'publicKeyArmored', k.public_key,
                  'addedAt', floor(extract(epoch FROM k.added_at) * 1000),
                  'revokedAt', floor(extract(epoch FROM k.revoked_at) * 1000)))
                FROM agency_signing_keys k WHERE k.agency_id = l.agency_id), '[]') AS agency_keys
         FROM letters l JOIN mailboxes mb ON mb.id = l.mailbox_id WHERE l.id = $1`,
      [letterId],
    )) as {
      state: LetterState;
      agency_id: string;
      created_at: Date;
      publish_at: Date | null;
      verified: boolean;
      requires_acknowledgement: boolean;
      end_to_end: boolean;
      reminder_after_days: number;
      mailbox_id: string;
      reserved: boolean;
      recipient_ref: string;
      wrapped_data_key: Buffer | null;
      master_key_version: number;
      agency_keys: {
        fingerprint: string;
        publicKeyArmored: string;
        addedAt: number;
        revokedAt: number | null;
      }[];
    }[];
    if (!row) return null;
    return {
      id: letterId,
      state: row.state,
      agencyId: row.agency_id,
      createdAt: row.created_at,
      publishAt: row.publish_at,
      verified: row.verified,
      requiresAcknowledgement: row.requires_acknowledgement,
      endToEnd: row.end_to_end,
      reminderAfterDays: row.reminder_after_days,
      mailbox: {
        id: row.mailbox_id,
        reserved: row.reserved,
        recipientRef: row.recipient_ref,
        wrappedDataKey: row.wrapped_data_key,
        masterKeyVersion: row.master_key_version,
      },
      agencyKeys: row.agency_keys.map((k) => ({
        fingerprint: k.fingerprint,
        publicKeyArmored: k.publicKeyArmored,
        addedAt: new Date(k.addedAt),
        revokedAt: k.revokedAt === null ? null : new Date(k.revokedAt),
      })),
    };
  }

  private async readDocuments(letterId: string): Promise<ReceivedDocument[]> {
    const rows = (await this.db.query(
      `SELECT id, position, filename, received, received_signature,
              encode(received_sha256, 'hex') AS received_sha256,
              encode(plaintext_sha256, 'hex') AS plaintext_sha256
         FROM documents WHERE letter_id = $1 ORDER BY position`,
      [letterId],
    )) as {
      id: string;
      position: number;
      filename: string;
      received: Buffer | null;
      received_signature: Buffer | null;
      received_sha256: string;
      plaintext_sha256: string | null;
    }[];
    return rows.map((r) => ({
      id: r.id,
      position: r.position,
      filename: r.filename,
      received: r.received,
      receivedSignature: r.received_signature,
      receivedSha256: r.received_sha256,
      plaintextSha256: r.plaintext_sha256,
    }));
  }
}

/** Both emails are staged with the delivery itself, so neither is lost to a crash or an outage. */
function jobsAfter(
  event: 'deliver' | 'forward_to_print',
  letterId: string,
  letter: LetterToDeliver,
): { queue: QueueName; subjectId: string }[] {
  if (event === 'forward_to_print') return [{ queue: 'print', subjectId: letterId }];
  return [
    { queue: 'notify', subjectId: letterId },
    ...(letter.reminderAfterDays > 0 ? [{ queue: 'remind' as const, subjectId: letterId }] : []),
  ];
}

function factsOf(
  letter: LetterToDeliver,
  documents: ReceivedDocument[],
  verified: VerifiedDocument[] = [],
): ReceiptFacts {
  return {
    agencyId: letter.agencyId,
    recipientRef: letter.mailbox.recipientRef,
    endToEnd: letter.endToEnd,
    documents: documents.map((d, i) => ({
      received: d.receivedSha256,
      plaintext: verified[i]?.plaintextSha256?.toString('hex') ?? d.plaintextSha256,
    })),
  };
}

/**
 * A letter verified before its `publishAt`: the sealed documents are stored and the received
 * ones kept until delivery. One statement per document, each also setting the letter's
 * `verified_at`, so the bytes go in the binary protocol without an extra round trip. An
 * end-to-end document is stored as received: its bytes are copied inside the database.
 */
async function storeDocuments(
  m: EntityManager,
  letterId: string,
  documents: VerifiedDocument[],
): Promise<void> {
  for (const d of documents) {
    await m.query(
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
