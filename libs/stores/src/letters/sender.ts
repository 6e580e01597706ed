import { parseReceiptPayload, RECEIPT_TYPES } from '#evidence';
import { LETTER_STATES, TARGET, type LetterState } from '#lifecycle';
import { bool, bytes, ColumnTypeError, date, int, json, nullable, oneOf, text } from '../columns';
import type { StagedJob } from '../outbox.store';
import type { UnsequencedPayload } from '../receipts.store';
import type { Row, Sql } from '../sql';

/** The answer to an accepted submission, stored with its idempotency key and replayed from it. */
export interface AcceptedLetter {
  id: string;
  state: 'accepted';
  receipt: UnsequencedPayload & { logIndex: null };
}

export interface SubmittedDocument {
  id: string;
  position: number;
  filename: string;
  mediaType: string;
  /** The OpenPGP message as received. */
  bytes: Uint8Array;
  sha256: Buffer;
  signature: Buffer | null;
}

/** Everything an accepted letter consists of; written by `insertSubmission` at once. */
export interface Submission {
  letter: {
    id: string;
    agencyId: string;
    mailboxId: string;
    title: string;
    senderReference: string | null;
    requiresAcknowledgement: boolean;
    reminderAfterDays: number;
    publishAt: string | null;
    dueDate: string | null;
    endToEnd: boolean;
    /** Sent in a batch: delivered from the bulk queue (`job` names it). */
    bulk: boolean;
    /** Seen only by those with confidential access to the mailbox. */
    confidential: boolean;
  };
  documents: SubmittedDocument[];
  /** The `accepted` receipt is the one in `answer`; this is its row id. */
  receiptId: string;
  idempotency: { key: string; requestSha256: Buffer; status: number };
  answer: AcceptedLetter;
  /** The delivery job staged in the outbox for the letter. */
  job: { queue: string; jobId: string };
}

export interface IdempotentAnswer {
  requestSha256: Buffer;
  status: number;
  response: AcceptedLetter;
}

/**
 * Whom the letter went to, as far as the agency may be shown it: an organisation's number (not
 * personal data), and for a person only that it was one, since no national id is stored.
 */
export type SentRecipient =
  { kind: 'person' } | { kind: 'organisation'; organisationNumber: string };

export interface SenderLetterRow {
  id: string;
  state: LetterState;
  title: string;
  senderReference: string | null;
  createdAt: Date;
  recipient: SentRecipient;
  confidential: boolean;
}

export interface SenderReceiptRow {
  payload: UnsequencedPayload;
  logIndex: number | null;
  /** Set once the sequencer signed the receipt into the log. */
  jws: string | null;
}

export interface LogEvent {
  receiptId: string;
  type: UnsequencedPayload['type'];
  letterId: string;
  at: Date;
  logIndex: number;
}

/**
 * Documents past this size are written by a statement each, after the letter's own: the driver
 * copies a statement's parameters twice over while it builds the message, and for one statement
 * holding all of a 60 MB letter that was about 150 MB at once. The round trip is nothing next
 * to the bytes.
 */
export const SEPARATE_DOCUMENT_BYTES = 1024 * 1024;

const letterState = oneOf(LETTER_STATES);
const receiptType = oneOf(RECEIPT_TYPES);

/**
 * A stored payload checked as the sequencer will sign it. The log index is the receipt row's
 * own column; the payload itself carries none (or, for an accepted receipt, `null`).
 */
function payloadOf(r: Row): UnsequencedPayload {
  const value = json(r, 'payload');
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ColumnTypeError('payload', 'a receipt payload', value);
  const { logIndex: _index, ...payload } = parseReceiptPayload({ ...value, logIndex: 0 });
  return payload;
}

function decodeAnswer(r: Row): IdempotentAnswer {
  return {
    requestSha256: bytes(r, 'request_sha256'),
    status: int(r, 'status'),
    response: acceptedLetter(json(r, 'response'), 'response'),
  };
}

/** A stored answer to an accepted letter, checked as it is replayed. */
export function acceptedLetter(value: unknown, column: string): AcceptedLetter {
  if (
    typeof value !== 'object' ||
    value === null ||
    !('id' in value) ||
    typeof value.id !== 'string' ||
    !('state' in value) ||
    value.state !== 'accepted' ||
    !('receipt' in value) ||
    typeof value.receipt !== 'object' ||
    value.receipt === null
  )
    throw new ColumnTypeError(column, 'an accepted letter', value);
  const receipt = parseReceiptPayload({ ...value.receipt, logIndex: 0 });
  return { id: value.id, state: 'accepted', receipt: { ...receipt, logIndex: null } };
}

// The outbox row as the submission CTE returns it (the same columns OutboxStore stages).
const decodeJob = (r: Row): StagedJob => ({
  id: text(r, 'id'),
  queue: text(r, 'queue'),
  subject_id: text(r, 'subject_id'),
});

/**
 * Letters and their documents as the sending agency writes and follows them: the submission
 * with its idempotency record, the letter's timeline and receipts, the agency's event feed and
 * withdrawal. Every read is scoped by agency: another agency's letter is not there.
 */
export class SenderLettersStore {
  constructor(private readonly sql: Sql) {}

  /**
   * Holds the idempotency key for the caller's transaction, or says another request holds it:
   * a second request with the same key waits for nothing.
   */
  async lockIdempotencyKey(tx: Sql, agencyId: string, key: string): Promise<boolean> {
    const locked = await tx.maybeOne(
      'SELECT pg_try_advisory_xact_lock(hashtextextended($1, 7)) AS locked',
      [`${agencyId}/${key}`],
      (r) => r.locked === true,
    );
    return locked === true;
  }

  /** The stored answer to an earlier request with this key, if there was one. */
  replayIdempotent(tx: Sql, agencyId: string, key: string): Promise<IdempotentAnswer | null> {
    return tx.maybeOne(
      'SELECT request_sha256, status, response FROM idempotency_keys WHERE agency_id = $1 AND key = $2',
      [agencyId, key],
      decodeAnswer,
    );
  }

  /**
   * Writes the letter, its documents as received, the `accepted` receipt, the idempotency
   * record and the delivery job in one statement: on this hardware each round trip to
   * PostgreSQL costs more than the rows it writes. Bytes stay in the binary protocol, one
   * parameter each; documents past `SEPARATE_DOCUMENT_BYTES` follow in a statement each.
   */
  async insertSubmission(tx: Sql, s: Submission): Promise<StagedJob> {
    const { letter, answer } = s;
    const params: unknown[] = [];
    const values = (row: unknown[]) =>
      `(${row.map((value) => `$${params.push(value)}`).join(', ')})`;
    const inline = (d: SubmittedDocument) => d.bytes.length <= SEPARATE_DOCUMENT_BYTES;
    const state: LetterState = 'accepted';
    const statement = `WITH letter AS (
       INSERT INTO letters (id, agency_id, mailbox_id, title, sender_reference, state,
         requires_acknowledgement, reminder_after_days, publish_at, due_date, end_to_end, bulk,
         confidential)
       VALUES ${values([
         letter.id,
         letter.agencyId,
         letter.mailboxId,
         letter.title,
         letter.senderReference,
         state,
         letter.requiresAcknowledgement,
         letter.reminderAfterDays,
         letter.publishAt,
         letter.dueDate,
         letter.endToEnd,
         letter.bulk,
         letter.confidential,
       ])}
     ), documents AS (
       INSERT INTO documents (id, letter_id, position, filename, media_type, received,
         received_sha256, received_signature)
       VALUES ${s.documents
         .map((d) =>
           values([
             d.id,
             letter.id,
             d.position,
             d.filename,
             d.mediaType,
             inline(d) ? d.bytes : null,
             d.sha256,
             d.signature,
           ]),
         )
         .join(', ')}
     ), receipt AS (
       INSERT INTO receipts (id, letter_id, agency_id, type, kind, at, payload)
       VALUES ${values([s.receiptId, letter.id, letter.agencyId, answer.receipt.type, '', answer.receipt.at, answer.receipt])}
     ), idempotency AS (
       INSERT INTO idempotency_keys (agency_id, key, request_sha256, status, response)
       VALUES ${values([letter.agencyId, s.idempotency.key, s.idempotency.requestSha256, s.idempotency.status, answer])}
     )
     INSERT INTO outbox (queue, job_id, subject_id) VALUES ${values([s.job.queue, s.job.jobId, letter.id])}
     RETURNING id, queue, subject_id`;
    const job = await tx.maybeOne(statement, params, decodeJob);
    if (!job) throw new Error(`letter ${letter.id}: the submission staged no delivery job`);
    for (const d of s.documents.filter((d) => !inline(d)))
      await tx.run('UPDATE documents SET received = $3 WHERE letter_id = $1 AND id = $2', [
        letter.id,
        d.id,
        d.bytes,
      ]);
    return job;
  }

  letterForAgency(agencyId: string, letterId: string): Promise<SenderLetterRow | null> {
    return this.sql.maybeOne(
      `SELECT l.id, l.state, l.title, l.sender_reference, l.created_at, l.confidential,
              mb.organisation_number
         FROM letters l JOIN mailboxes mb ON mb.id = l.mailbox_id
        WHERE l.id = $1 AND l.agency_id = $2`,
      [letterId, agencyId],
      (r) => {
        const organisationNumber = nullable(text)(r, 'organisation_number');
        return {
          id: text(r, 'id'),
          state: letterState(r, 'state'),
          title: text(r, 'title'),
          senderReference: nullable(text)(r, 'sender_reference'),
          createdAt: date(r, 'created_at'),
          recipient: organisationNumber
            ? { kind: 'organisation', organisationNumber }
            : { kind: 'person' },
          confidential: bool(r, 'confidential'),
        };
      },
    );
  }

  /** The letter's receipts in the order they happened, staged or sequenced. */
  timelineOf(letterId: string): Promise<{ type: LogEvent['type']; at: Date }[]> {
    return this.sql.rows(
      'SELECT type, at FROM receipts WHERE letter_id = $1 ORDER BY at, staged_seq',
      [letterId],
      (r) => ({ type: receiptType(r, 'type'), at: date(r, 'at') }),
    );
  }

  /** The letter's receipts in staging order, each with its log entry's JWS once sequenced. */
  receiptsOf(letterId: string): Promise<SenderReceiptRow[]> {
    return this.sql.rows(
      `SELECT r.payload, r.log_index, g.jws FROM receipts r
         LEFT JOIN receipt_log g ON g.log_index = r.log_index AND g.receipt_id = r.id
        WHERE r.letter_id = $1 ORDER BY r.staged_seq`,
      [letterId],
      (r) => ({
        payload: payloadOf(r),
        logIndex: nullable(int)(r, 'log_index'),
        jws: nullable(text)(r, 'jws'),
      }),
    );
  }

  /** The agency's log entries after `afterIndex`, in log order. */
  eventsAfter(agencyId: string, afterIndex: number, limit: number): Promise<LogEvent[]> {
    return this.sql.rows(
      `SELECT receipt_id, type, letter_id, at, log_index FROM receipt_log
        WHERE agency_id = $1 AND log_index > $2 ORDER BY log_index LIMIT $3`,
      [agencyId, afterIndex, limit],
      (r) => ({
        receiptId: text(r, 'receipt_id'),
        type: receiptType(r, 'type'),
        letterId: text(r, 'letter_id'),
        at: date(r, 'at'),
        logIndex: int(r, 'log_index'),
      }),
    );
  }

  /** Whether the agency sent the letter; for a change the agency makes in `tx`. */
  async isOwnLetter(tx: Sql, agencyId: string, letterId: string): Promise<boolean> {
    const own = await tx.count('SELECT 1 FROM letters WHERE id = $1 AND agency_id = $2', [
      letterId,
      agencyId,
    ]);
    return own > 0;
  }

  /**
   * Nothing of a withdrawn letter is kept but its hashes in the receipts. Only a letter that is
   * withdrawn loses its bytes, whoever calls this: the state decides, not the caller.
   */
  async dropBytesIfWithdrawn(tx: Sql, letterId: string): Promise<number> {
    return tx.count(
      `UPDATE documents SET received = NULL, sealed = NULL
        WHERE letter_id = $1 AND EXISTS (SELECT 1 FROM letters WHERE id = $1 AND state = $2)`,
      [letterId, TARGET.withdraw],
    );
  }

  /**
   * The mailbox a letter went to, for an auditor's look at its evidence (written to that
   * mailbox's access log). Not scoped by agency: an auditor may look at any letter.
   */
  mailboxOfLetter(letterId: string): Promise<string | null> {
    return this.sql.maybeOne('SELECT mailbox_id FROM letters WHERE id = $1', [letterId], (r) =>
      text(r, 'mailbox_id'),
    );
  }
}
