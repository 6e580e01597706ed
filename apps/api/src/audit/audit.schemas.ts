import { z } from 'zod';

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
