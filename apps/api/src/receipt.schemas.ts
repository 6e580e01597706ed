import { z } from 'zod';
import { ACTOR_ROLES, RECEIPT_TYPES } from '#evidence';

/** Shapes shared by the sender, mailbox and audit answers (DESIGN "Receipts and evidence"). */

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);
const base64url = z.string().regex(/^[A-Za-z0-9_-]+$/);

export const compactJwsSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);

export const inclusionProofSchema = z
  .strictObject({
    leafIndex: z.int().min(0),
    treeSize: z.int().min(1),
    path: z.array(base64url),
  })
  .meta({ id: 'InclusionProof' });

export const signedTreeHeadSchema = z
  .strictObject({
    treeSize: z.int().min(0),
    rootHash: base64url,
    timestamp: z.iso.datetime(),
    jws: compactJwsSchema,
  })
  .meta({ id: 'SignedTreeHead' });

const receiptShape = {
  letterId: z.uuid(),
  type: z.enum(RECEIPT_TYPES),
  kind: z.enum(['notify', 'reminder']).optional(),
  at: z.iso.datetime(),
  agencyId: z.uuid(),
  recipientRef: z.string().min(1),
  documents: z.array(
    z.strictObject({ ciphertextSha256: sha256Hex, plaintextSha256: sha256Hex.optional() }),
  ),
  reason: z.strictObject({ code: z.string(), detail: z.string() }).optional(),
  /** On replied and reply_received: the reply the receipt is about. */
  replyId: z.uuid().optional(),
  actorRole: z
    .enum(ACTOR_ROLES)
    .optional()
    .describe('read and acknowledged: the role the reader acted in (owner, guardian, ...)'),
  actorRef: z
    .string()
    .optional()
    .describe('read and acknowledged: an HMAC reference of the person who acted'),
  /** Null until the sequencer has put the receipt in the log. */
  logIndex: z.int().min(0).nullable(),
};

export const receiptSchema = z.strictObject(receiptShape).meta({ id: 'Receipt' });

/** A receipt as its letter's sender sees it: signed once sequenced, proven once a head covers it. */
export const letterReceiptSchema = z
  .strictObject({
    ...receiptShape,
    jws: compactJwsSchema.optional(),
    inclusionProof: inclusionProofSchema.nullable().optional(),
  })
  .meta({ id: 'LetterReceipt' });

/** An access-log entry as its transparency-log leaf commits to it (hash its RFC 8785 form). */
export const accessEntryRecordSchema = z
  .strictObject({
    id: z.uuid(),
    at: z.iso.datetime(),
    actor: z.strictObject({ kind: z.string(), id: z.string(), name: z.string() }),
    action: z.string(),
    purpose: z.string(),
    letterId: z.uuid().optional(),
    notice: z
      .strictObject({
        dataCategory: z.string(),
        legalBasis: z.string(),
        occurredAt: z.iso.datetime(),
        system: z.string().optional(),
      })
      .optional(),
    withheld: z.strictObject({ until: z.iso.datetime(), reason: z.string() }).optional(),
  })
  .meta({ id: 'AccessEntryRecord' });

/** An access leaf in the log (a JWS of type postkasse-access-leaf+jws) with its inclusion path. */
export const accessLeafProofSchema = z
  .strictObject({
    index: z.int().min(0),
    jws: compactJwsSchema,
    inclusionProof: z.array(base64url),
  })
  .meta({ id: 'AccessLeafProof' });
