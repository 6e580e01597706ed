import { z } from 'zod';
import { ACCESS_ACTIONS, ACTING_ROLES } from '#access';
import { LETTER_STATES } from '#lifecycle';

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

export const moveSchema = z
  .strictObject({ folder: z.enum(['inbox', 'archive', 'trash']) })
  .meta({ id: 'MoveRequest' });

export const settingsUpdateSchema = z
  .strictObject({
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
  })
  .meta({ id: 'SettingsUpdate' });

// Answers (DESIGN "API", citizen part).

const folder = z.enum(['inbox', 'archive', 'trash']);

export const mailboxDocumentSchema = z
  .strictObject({
    id: z.uuid(),
    filename: z.string().min(1),
    mediaType: z.string().min(1),
    /** Null for an end-to-end document, whose plaintext the platform never sees. */
    size: z.int().min(0).nullable(),
  })
  .meta({ id: 'MailboxDocument' });

export const mailboxLetterSchema = z
  .strictObject({
    id: z.uuid(),
    sender: z.strictObject({ id: z.uuid(), name: z.string() }),
    title: z.string(),
    /** The agency's own case reference, for the citizen to quote when contacting it. */
    senderReference: z.string().nullable(),
    state: z.enum(LETTER_STATES),
    deliveredAt: z.iso.datetime(),
    readAt: z.iso.datetime().nullable(),
    /** Not read yet, or marked unread again by the citizen (readAt stays as it was). */
    unread: z.boolean(),
    folder,
    requiresAcknowledgement: z.boolean(),
    acknowledgedAt: z.iso.datetime().nullable(),
    dueDate: z.iso.date().nullable(),
    endToEnd: z.boolean(),
    /** Kept to those with confidential access (an organisation's chosen people). */
    confidential: z.boolean(),
    documents: z.array(mailboxDocumentSchema),
  })
  .meta({ id: 'MailboxLetter' });

export const mailboxLetterPageSchema = z
  .strictObject({ items: z.array(mailboxLetterSchema), nextCursor: z.string().nullable() })
  .meta({ id: 'MailboxLetterPage' });

export const mailboxSummarySchema = z
  .strictObject({ unread: z.int().min(0), needsAction: z.int().min(0) })
  .meta({ id: 'MailboxSummary' });

export const accessLogPageSchema = z
  .strictObject({
    items: z.array(
      z
        .strictObject({
          at: z.iso.datetime(),
          actor: z.strictObject({
            kind: z.enum(['agency', 'auditor', 'person']),
            id: z.string().describe("An agency's or auditor's id; a person's HMAC reference"),
            name: z.string(),
            role: z
              .enum(ACTING_ROLES)
              .nullable()
              .describe(
                'The role a person acted in for the mailbox; null for agencies and auditors',
              ),
          }),
          action: z.enum(ACCESS_ACTIONS),
          purpose: z.string(),
          /** The letter the entry is about, when it is about one letter. */
          letter: z.strictObject({ id: z.uuid(), title: z.string() }).nullable(),
        })
        .meta({ id: 'AccessLogEntry' }),
    ),
    nextCursor: z.string().nullable(),
  })
  .meta({ id: 'AccessLogPage' });

export const settingsSchema = z
  .strictObject({
    notificationEmail: z.email().nullable(),
    emailConfirmed: z.boolean(),
    language: z.enum(['da', 'nb', 'en']),
    timeZone: z.string(),
    reserved: z.boolean(),
  })
  .meta({ id: 'Settings' });

export const mailboxKeyViewSchema = z
  .strictObject({
    publicKey: z.string().nullable(),
    encryptedPrivateKey: z.string().nullable(),
    fingerprint: z
      .string()
      .regex(/^[0-9a-f]{40,64}$/)
      .nullable(),
    updatedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'MailboxKey' });

export const senderKeysSchema = z
  .strictObject({
    keys: z.array(z.strictObject({ fingerprint: z.string(), publicKey: z.string() })),
  })
  .meta({ id: 'SenderKeys' });

export const viewTicketSchema = z
  .strictObject({
    url: z.string().meta({
      description:
        'An absolute path, `/v1/document-views/{ticket}/{filename}`, good for a few fetches within DOCUMENT_VIEW_TICKET_TTL_SECONDS',
    }),
  })
  .meta({ id: 'DocumentViewTicket' });
