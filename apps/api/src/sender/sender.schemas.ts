import { z } from 'zod';
import { RECEIPT_TYPES } from '#evidence';
import { problemSchema } from '#http';
import { LETTER_STATES } from '#letters';
import { letterReceiptSchema, receiptSchema } from '../receipt.schemas';

export const eventsQuerySchema = z.strictObject({
  after: z
    .string()
    .max(200)
    // A number is what a newcomer tries first; no cursor this API hands out is one.
    .refine((value) => !/^-?\d+$/.test(value), {
      message:
        'must be the nextCursor of an earlier page (an opaque cursor), not a logIndex; omit it to read from the start',
    })
    .optional()
    .describe(
      'Opaque cursor: the nextCursor of an earlier page, as it was given. Store the last nextCursor you processed and resume from it; a logIndex is not accepted. Omit to read from the start of the log.',
    ),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

const LOOKUP_MAX = 1000;

export const lookupSchema = z
  .strictObject({
    nationalIds: z.array(z.string().min(1).max(32)).max(LOOKUP_MAX).optional(),
    organisationNumbers: z.array(z.string().min(1).max(32)).max(LOOKUP_MAX).optional(),
    purpose: z.string().trim().min(3).max(500),
  })
  .refine((b) => (b.nationalIds?.length ?? 0) + (b.organisationNumbers?.length ?? 0) > 0, {
    message: 'name at least one recipient in nationalIds or organisationNumbers',
    path: ['nationalIds'],
  })
  .refine(
    (b) => (b.nationalIds?.length ?? 0) + (b.organisationNumbers?.length ?? 0) <= LOOKUP_MAX,
    { message: `at most ${LOOKUP_MAX} recipients in one lookup`, path: ['nationalIds'] },
  );

// Answers (DESIGN "API", sender part).

export const submittedLetterSchema = z
  .strictObject({ id: z.uuid(), state: z.literal('accepted'), receipt: receiptSchema })
  .meta({ id: 'SubmittedLetter' });

export const senderLetterSchema = z
  .strictObject({
    id: z.uuid(),
    state: z.enum(LETTER_STATES),
    title: z.string(),
    senderReference: z.string().nullable(),
    recipient: z
      .discriminatedUnion('kind', [
        z.strictObject({ kind: z.literal('person') }),
        z.strictObject({ kind: z.literal('organisation'), organisationNumber: z.string() }),
      ])
      .describe(
        "Whom the letter went to: an organisation's number as sent; for a person only that it was one (the platform keeps no national id)",
      ),
    confidential: z.boolean(),
    createdAt: z.iso.datetime(),
    timeline: z.array(z.strictObject({ type: z.enum(RECEIPT_TYPES), at: z.iso.datetime() })),
  })
  .meta({ id: 'SenderLetter' });

export const letterReceiptsSchema = z
  .strictObject({ items: z.array(letterReceiptSchema) })
  .meta({ id: 'LetterReceipts' });

export const eventsPageSchema = z
  .strictObject({
    items: z.array(
      z.strictObject({
        id: z.uuid(),
        type: z.enum(RECEIPT_TYPES),
        letterId: z.uuid(),
        at: z.iso.datetime(),
        logIndex: z.int().min(0),
      }),
    ),
    /** Always set: where to resume; empty `items` means nothing new yet. */
    nextCursor: z.string().min(1),
  })
  .meta({ id: 'EventsPage' });

const lookupStatus = {
  /** An organisation is never reserved: its letters are always digital. */
  status: z.enum(['active', 'reserved']),
  publicKey: z.string().nullable(),
  /** True only when an end-to-end letter is accepted: a registered key, no reservation. */
  endToEnd: z.boolean(),
};

export const lookupResultSchema = z
  .strictObject({
    items: z
      .array(
        z.union([
          z.strictObject({ nationalId: z.string(), ...lookupStatus }),
          z.strictObject({ organisationNumber: z.string(), ...lookupStatus }),
        ]),
      )
      .describe('People in the order of nationalIds, then organisations in the order sent'),
  })
  .meta({ id: 'LookupResult' });

const webhookShape = {
  id: z.uuid(),
  url: z.url(),
  /** Null: every event type. */
  events: z.array(z.enum(RECEIPT_TYPES)).nullable(),
  createdAt: z.iso.datetime(),
};

export const webhookSchema = z.strictObject(webhookShape).meta({ id: 'Webhook' });

export const createdWebhookSchema = z
  .strictObject({ ...webhookShape, secret: z.string().min(16) })
  .meta({ id: 'CreatedWebhook' });

export const webhooksPageSchema = z
  .strictObject({ items: z.array(webhookSchema), nextCursor: z.null() })
  .meta({ id: 'WebhooksPage' });

export const webhookDeliveriesPageSchema = z
  .strictObject({
    items: z.array(
      z.strictObject({
        eventId: z.uuid(),
        type: z.enum(RECEIPT_TYPES),
        letterId: z.uuid(),
        logIndex: z.int().min(0),
        status: z.enum(['pending', 'delivered', 'failed', 'cancelled']),
        attempts: z.int().min(0),
        lastError: z.string().nullable(),
        createdAt: z.iso.datetime(),
        finishedAt: z.iso.datetime().nullable(),
      }),
    ),
    nextCursor: z.string().nullable(),
  })
  .meta({ id: 'WebhookDeliveriesPage' });

export const letterBatchAnswerSchema = z
  .strictObject({
    items: z.array(
      z
        .strictObject({
          idempotencyKey: z
            .string()
            .nullable()
            .describe("The letter's key as sent; null where it was missing or unusable"),
          status: z
            .number()
            .int()
            .describe('202 for an accepted letter, or the 4xx a single submission would have had'),
          id: z.uuid().optional(),
          state: z.literal('accepted').optional(),
          receipt: receiptSchema.optional(),
          problem: problemSchema.optional(),
        })
        .meta({ id: 'LetterBatchItem' }),
    ),
  })
  .meta({ id: 'LetterBatchAnswer' });
