import { z } from 'zod';

const token = z.string().min(1).max(200);

export const confirmationQuerySchema = z.strictObject({ token });
export const confirmationBodySchema = z.strictObject({ token });
/** The page's button posts with the token in the query and no body; clients send JSON. */
export const optionalConfirmationBodySchema = z
  .union([confirmationBodySchema, z.strictObject({})])
  .optional();

export const confirmedSchema = z
  .strictObject({ notificationEmail: z.email(), emailConfirmed: z.literal(true) })
  .meta({ id: 'EmailConfirmed' });

export const confirmationSentSchema = z
  .strictObject({ status: z.literal('sent') })
  .meta({ id: 'EmailConfirmationSent' });

/** The confirmation pages are HTML, for the citizen who followed the link. */
export const htmlPage = { schema: z.string(), mediaType: 'text/html' } as const;
