import { z } from 'zod';

export const eventsQuerySchema = z.strictObject({
  after: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export const lookupSchema = z.strictObject({
  nationalIds: z.array(z.string().min(1).max(32)).min(1).max(1000),
  purpose: z.string().trim().min(3).max(500),
});
