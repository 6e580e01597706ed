import { z } from 'zod';

/** Limits from DESIGN "API": checked at the edge, before anything is stored. */
export const LETTER_LIMITS = {
  maxDocuments: 10,
  maxDocumentBytes: 20 * 1024 * 1024,
  maxRequestBytes: 60 * 1024 * 1024,
  maxTitle: 200,
  maxFilename: 255,
} as const;

export const ALLOWED_MEDIA_TYPES = [
  'application/pdf',
  'text/plain',
  'text/html',
  'text/csv',
  'image/png',
  'image/jpeg',
  'image/gif',
  'application/xml',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.oasis.opendocument.text',
] as const;

/** Shown in the browser; everything else is served as an attachment. */
export const INLINE_MEDIA_TYPES: ReadonlySet<string> = new Set([
  'application/pdf',
  'image/png',
  'image/jpeg',
  'image/gif',
  'text/plain',
]);

// eslint-disable-next-line no-control-regex
const CONTROL_OR_SEPARATOR = /[\u0000-\u001f\u007f-\u009f/\\]/;

export const filenameSchema = z
  .string()
  .min(1)
  .max(LETTER_LIMITS.maxFilename)
  .refine(
    (f) => !CONTROL_OR_SEPARATOR.test(f),
    'must not contain path separators or control characters',
  )
  .refine((f) => f !== '.' && f !== '..', 'must not be "." or ".."');

export const documentSchema = z.strictObject({
  filename: filenameSchema,
  mediaType: z.enum(ALLOWED_MEDIA_TYPES),
  content: z.string().min(1).describe('OpenPGP message: ASCII armor, or base64 of the binary form'),
  signature: z
    .string()
    .min(1)
    .optional()
    .describe("End-to-end letters only: the agency's detached signature over the ciphertext"),
});

const personRecipientSchema = z.strictObject({ nationalId: z.string().min(1).max(32) });
const organisationRecipientSchema = z.strictObject({
  organisationNumber: z
    .string()
    .min(1)
    .max(32)
    .describe("The organisation's number (Norway: 9 digits with a mod-11 check; Denmark: CVR)"),
});

/**
 * A person by national id or an organisation by number (DESIGN "Recipients and mailboxes"),
 * exactly one. A union of two strict objects, so the generated types say so too; zod's own
 * "Invalid input" for a union would not tell the agency what it sent wrong.
 */
export const recipientSchema = z
  .union([personRecipientSchema, organisationRecipientSchema], {
    error: (issue) =>
      issue.code === 'invalid_union'
        ? 'must be {"nationalId": "…"} or {"organisationNumber": "…"}: exactly one of the two, as a string'
        : undefined,
  })
  .meta({ id: 'Recipient' });

export type Recipient = z.infer<typeof recipientSchema>;

export const letterSubmissionSchema = z.strictObject({
  recipient: recipientSchema,
  title: z.string().trim().min(1).max(LETTER_LIMITS.maxTitle),
  documents: z.array(documentSchema).min(1).max(LETTER_LIMITS.maxDocuments),
  senderReference: z.string().min(1).max(200).optional(),
  publishAt: z.iso.datetime({ offset: true }).optional(),
  dueDate: z.iso.date().optional(),
  requiresAcknowledgement: z.boolean().optional(),
  reminderAfterDays: z.number().int().min(0).max(365).optional(),
  confidential: z
    .boolean()
    .optional()
    .describe(
      "Only those with confidential access to the mailbox see the letter (an organisation's chosen employees); its owner always does",
    ),
});

export type LetterSubmission = z.infer<typeof letterSubmissionSchema>;

/** DESIGN "Batches": at most this many letters in one request (and the request size limit). */
export const BATCH_MAX_LETTERS = 500;

export const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** One letter of a batch: a single letter's fields and the letter's own Idempotency-Key. */
export const batchLetterSchema = letterSubmissionSchema
  .extend({
    idempotencyKey: z
      .string()
      .regex(IDEMPOTENCY_KEY, 'must be 1–255 visible ASCII characters')
      .describe("The letter's own key, unique per agency as a single letter's Idempotency-Key"),
  })
  .meta({ id: 'BatchLetter' });

/**
 * The batch as it is checked at the edge and documented: each letter should be a
 * `batchLetterSchema`, but what is not is refused on its own (that item's 400, from the same
 * schema), not with the whole request.
 */
export const letterBatchSchema = z.strictObject({
  letters: z
    .array(z.union([batchLetterSchema, z.unknown()]))
    .min(1)
    .max(BATCH_MAX_LETTERS)
    .describe(
      'The letters, each a BatchLetter; one that is not is answered its own 400 in its item, and the others are taken',
    ),
});
