import { z } from 'zod';
import {
  accessEntryRecordSchema,
  compactJwsSchema,
  inclusionProofSchema,
  signedTreeHeadSchema,
} from '../receipt.schemas';

const index = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const treeHeadsQuerySchema = z.strictObject({
  after: index.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export const consistencyQuerySchema = z.strictObject({ from: index, to: index });

export const logQuerySchema = z.strictObject({ from: index.default(0), to: index.optional() });

export const evidenceQuerySchema = z.strictObject({
  purpose: z.string().trim().min(3).max(500).default('Audit of a letter and its receipts'),
});

// Answers (DESIGN "API", auditor part).

export const treeHeadsPageSchema = z
  .strictObject({ items: z.array(signedTreeHeadSchema), nextCursor: z.string().nullable() })
  .meta({ id: 'TreeHeadsPage' });

export const evidenceSchema = z
  .strictObject({
    treeHead: signedTreeHeadSchema.nullable(),
    receipts: z.array(
      z.strictObject({
        jws: compactJwsSchema,
        /** Null until a signed tree head covers the entry. */
        inclusionProof: inclusionProofSchema.nullable(),
      }),
    ),
  })
  .meta({ id: 'Evidence' });

export const consistencyProofSchema = z
  .strictObject({
    from: z.int().min(0),
    to: z.int().min(0),
    path: z.array(z.string().regex(/^[A-Za-z0-9_-]+$/)),
  })
  .meta({ id: 'ConsistencyProof' });

export const withheldQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().max(500).optional(),
});

export const withheldAccessPageSchema = z
  .strictObject({
    items: z.array(
      z.strictObject({
        mailboxId: z.uuid(),
        /** The entry as its leaf commits to it, withholding (until, reason) included. */
        entry: accessEntryRecordSchema,
        /** Whether the citizen sees it by now. */
        released: z.boolean(),
        /** The legal basis on which an operator allowed the agency to withhold. */
        agencyWithholdingBasis: z.string().nullable(),
        /** The leaf's index in the log (null for a moment after writing). */
        logIndex: z.int().min(0).nullable(),
      }),
    ),
    nextCursor: z.string().nullable(),
  })
  .meta({ id: 'WithheldAccessPage' });
