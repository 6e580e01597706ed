import { z } from 'zod';

const token = z.string().min(1).max(200);

export const confirmationQuerySchema = z.strictObject({ token });
export const confirmationBodySchema = z.strictObject({ token });
/** The page's button posts with the token in the query and no body; clients send JSON. */
export const optionalConfirmationBodySchema = z
  .union([confirmationBodySchema, z.strictObject({})])
  .optional();
