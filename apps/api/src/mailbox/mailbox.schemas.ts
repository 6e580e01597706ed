import { z } from 'zod';

const booleanQuery = z.enum(['true', 'false']).transform((v) => v === 'true');

export const listQuerySchema = z.strictObject({
  folder: z.enum(['inbox', 'archive', 'trash']).default('inbox'),
  unread: booleanQuery.optional(),
  q: z.string().trim().min(1).max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(500).optional(),
});

export const pageQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(500).optional(),
});

export const moveSchema = z.strictObject({ folder: z.enum(['inbox', 'archive', 'trash']) });

export const settingsUpdateSchema = z.strictObject({
  notificationEmail: z.email().max(254).nullable().optional(),
  language: z.enum(['da', 'nb', 'en']).optional(),
  timeZone: z
    .string()
    .max(64)
    .refine(
      (tz) => Intl.supportedValuesOf('timeZone').includes(tz) || tz === 'UTC',
      'unknown time zone',
    )
    .optional(),
  reserved: z.boolean().optional(),
});
