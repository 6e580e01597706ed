import { z } from 'zod';
import { LETTER_LIMITS, documentSchema } from '../sending/submission-schema';

/** A reply's document: a letter document's fields, but encrypted to the agency and unsigned. */
export const replyDocumentSchema = documentSchema.omit({ signature: true }).extend({
  content: z
    .string()
    .min(1)
    .describe(
      "OpenPGP message encrypted to the agency's encryption key (GET /v1/agencies): ASCII armor, or base64 of the binary form",
    ),
});

const documents = z.array(replyDocumentSchema).min(1).max(LETTER_LIMITS.maxDocuments);

export const replySubmissionSchema = z.strictObject({ documents }).meta({ id: 'ReplySubmission' });

/** Topics are the operator's short names for what an agency takes messages about. */
export const TOPIC = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export const messageSubmissionSchema = z
  .strictObject({
    agencyId: z.uuid(),
    topic: z.string().regex(TOPIC, 'must be one of the topics the agency lists'),
    documents,
  })
  .meta({ id: 'MessageSubmission' });

export type ReplyDocumentSubmission = z.infer<typeof replyDocumentSchema>;
