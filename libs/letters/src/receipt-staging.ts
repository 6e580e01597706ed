import { v7 as uuidv7 } from 'uuid';
import type { EntityManager } from 'typeorm';
import { parseReceiptPayload, type ReceiptType } from '#evidence';

export interface StagedReceipt {
  letterId: string;
  type: ReceiptType;
  kind?: 'notify' | 'reminder';
  at: string;
  agencyId: string;
  recipientRef: string;
  documents: { ciphertextSha256: string; plaintextSha256?: string }[];
  reason?: { code: string; detail: string };
  logIndex: number | null;
}

/**
 * What a receipt says about its letter. A caller that has just read or written these passes
 * them in, which saves two reads in the transaction that holds the letter's lock.
 */
export interface ReceiptFacts {
  agencyId: string;
  recipientRef: string;
  endToEnd: boolean;
  /** In document order, hex SHA-256 of the message as received and of the plaintext if known. */
  documents: { received: string; plaintext: string | null }[];
}

/** The plaintext is known from delivery on (DESIGN "Receipts and evidence"). */
const BEFORE_PLAINTEXT: ReadonlySet<ReceiptType> = new Set(['accepted', 'rejected', 'withdrawn']);

/**
 * Stages a receipt in the caller's transaction. Unique per (letter, type, kind): a job that runs
 * twice stages nothing the second time, and the first receipt is returned. The sequencer picks
 * staged receipts up on its own; a NOTIFY here would serialise every commit on the
 * notification queue's lock.
 */
export async function stageReceipt(
  m: EntityManager,
  letterId: string,
  type: ReceiptType,
  options: {
    kind?: 'notify' | 'reminder';
    reason?: { code: string; detail: string };
    at?: Date;
    facts?: ReceiptFacts;
  } = {},
): Promise<StagedReceipt> {
  const facts = options.facts ?? (await readFacts(m, letterId));
  const payload = receiptPayload(letterId, type, facts, options);
  const inserted = (await m.query(
    `INSERT INTO receipts (id, letter_id, agency_id, type, kind, at, payload)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (letter_id, type, kind) DO NOTHING RETURNING id`,
    [uuidv7(), letterId, facts.agencyId, type, options.kind ?? '', payload.at, payload],
  )) as { id: string }[];
  if (inserted.length > 0) return { ...payload, logIndex: null };
  return (await findReceipt(m, letterId, type, options.kind))!;
}

/**
 * A receipt's payload as it will be signed, checked now: a payload the sequencer could not sign
 * must fail here, in the transition's own transaction, not later in a batch where it would hold
 * up every other receipt.
 */
export function receiptPayload(
  letterId: string,
  type: ReceiptType,
  facts: ReceiptFacts,
  options: { kind?: 'notify' | 'reminder'; reason?: { code: string; detail: string }; at?: Date },
): Omit<StagedReceipt, 'logIndex'> {
  const withPlaintext = !BEFORE_PLAINTEXT.has(type) && !facts.endToEnd;
  const payload: Omit<StagedReceipt, 'logIndex'> = {
    letterId,
    type,
    ...(options.kind ? { kind: options.kind } : {}),
    at: (options.at ?? new Date()).toISOString(),
    agencyId: facts.agencyId,
    recipientRef: facts.recipientRef,
    documents: facts.documents.map((d) => ({
      ciphertextSha256: d.received,
      ...(withPlaintext && d.plaintext ? { plaintextSha256: d.plaintext } : {}),
    })),
    ...(options.reason ? { reason: options.reason } : {}),
  };
  parseReceiptPayload({ ...payload, logIndex: 0 });
  return payload;
}

async function readFacts(m: EntityManager, letterId: string): Promise<ReceiptFacts> {
  const [letter] = (await m.query(
    `SELECT l.agency_id, l.end_to_end, mb.recipient_ref,
            COALESCE((SELECT json_agg(json_build_object(
                'received', encode(received_sha256, 'hex'),
                'plaintext', encode(plaintext_sha256, 'hex')) ORDER BY position)
              FROM documents WHERE letter_id = l.id), '[]') AS documents
       FROM letters l JOIN mailboxes mb ON mb.id = l.mailbox_id WHERE l.id = $1`,
    [letterId],
  )) as {
    agency_id: string;
    end_to_end: boolean;
    recipient_ref: string;
    documents: ReceiptFacts['documents'];
  }[];
  return {
    agencyId: letter.agency_id,
    recipientRef: letter.recipient_ref,
    endToEnd: letter.end_to_end,
    documents: letter.documents,
  };
}

export async function findReceipt(
  m: EntityManager,
  letterId: string,
  type: ReceiptType,
  kind?: string,
): Promise<StagedReceipt | null> {
  const [row] = (await m.query(
    'SELECT payload, log_index FROM receipts WHERE letter_id = $1 AND type = $2 AND kind = $3',
    [letterId, type, kind ?? ''],
  )) as { payload: Omit<StagedReceipt, 'logIndex'>; log_index: string | null }[];
  if (!row) return null;
  return { ...row.payload, logIndex: row.log_index === null ? null : Number(row.log_index) };
}
