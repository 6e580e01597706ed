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
