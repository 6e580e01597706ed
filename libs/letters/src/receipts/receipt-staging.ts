import { v7 as uuidv7 } from 'uuid';
import type { EntityManager } from 'typeorm';
import { parseReceiptPayload, type ActorRole, type ReceiptType } from '#evidence';
import { ReceiptsStore, Sql, type LetterReceiptFacts } from '#stores';

export interface StagedReceipt {
  letterId: string;
  type: ReceiptType;
  kind?: 'notify' | 'reminder';
  at: string;
  agencyId: string;
  recipientRef: string;
  documents: { ciphertextSha256: string; plaintextSha256?: string }[];
  reason?: { code: string; detail: string };
  actorRole?: ActorRole;
  actorRef?: string;
  logIndex: number | null;
}

/** Who read or acknowledged, as the receipt names them (an HMAC reference, never a number). */
export interface ReceiptActor {
  role: ActorRole;
  /** Absent for an owner known only by number: their ref is the receipt's recipient ref. */
  ref?: string;
}

/**
 * What a receipt says about its letter. A caller that has just read or written these passes
 * them in, which saves two reads in the transaction that holds the letter's lock.
 */
export type ReceiptFacts = LetterReceiptFacts;

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
    actor?: ReceiptActor;
  } = {},
): Promise<StagedReceipt> {
  const tx = new Sql(m);
  const receipts = new ReceiptsStore(tx);
  const facts = options.facts ?? (await receipts.factsOfLetter(tx, letterId));
  const payload = receiptPayload(letterId, type, facts, options);
  const kind = options.kind ?? '';
  const staged = await receipts.stage(tx, {
    id: uuidv7(),
    letterId,
    agencyId: facts.agencyId,
    type,
    kind,
    payload,
  });
  if (staged) return { ...payload, logIndex: null };
  return (await findReceipt(m, letterId, type, kind))!;
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
  options: {
    kind?: 'notify' | 'reminder';
    reason?: { code: string; detail: string };
    at?: Date;
    actor?: ReceiptActor;
  },
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
    ...(options.actor
      ? { actorRole: options.actor.role, actorRef: options.actor.ref ?? facts.recipientRef }
      : {}),
  };
  parseReceiptPayload({ ...payload, logIndex: 0 });
  return payload;
}

export async function findReceipt(
  m: EntityManager,
  letterId: string,
  type: ReceiptType,
  kind?: string,
): Promise<StagedReceipt | null> {
  const tx = new Sql(m);
  const found = await new ReceiptsStore(tx).find(tx, letterId, type, kind);
  return found && { ...found.payload, logIndex: found.logIndex };
}
