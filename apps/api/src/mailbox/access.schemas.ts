import { z } from 'zod';
import { ACTING_ROLES, GRANT_ROLES, MAILBOX_KINDS } from '#access';

/** Shapes of who may act for which mailbox (DESIGN "Second round", "Who may act"). */

const access = z.enum(['read', 'read_write']);

export const meSchema = z
  .strictObject({
    principal: z.strictObject({ name: z.string() }),
    mailboxes: z.array(
      z
        .strictObject({
          id: z.uuid(),
          kind: z.enum(MAILBOX_KINDS),
          name: z
            .string()
            .nullable()
            .describe("The organisation's name, or the person's once they have logged in"),
          role: z.enum(ACTING_ROLES),
          access,
          confidential: z.boolean().describe('Whether letters marked confidential are in view'),
          until: z.iso.datetime().nullable().describe('When the access ends; null: it does not'),
        })
        .meta({ id: 'MailboxToActFor' }),
    ),
  })
  .meta({ id: 'Me' });

export const grantRequestSchema = z
  .strictObject({
    grantee: z.strictObject({
      nationalId: z.string().min(1).max(32).describe("The grantee's national identity number"),
    }),
    access,
    until: z.iso
      .datetime({ offset: true })
      .optional()
      .describe('The first instant the grant no longer holds; absent: until revoked'),
    confidential: z
      .boolean()
      .optional()
      .describe("An organisation's employee: whether confidential letters are in view"),
    role: z
      .literal('administrator')
      .optional()
      .describe(
        "An organisation's mailbox only: the grantee administers it (read_write, confidential)",
      ),
  })
  .meta({ id: 'GrantRequest' });

export const grantSchema = z
  .strictObject({
    id: z.uuid(),
    grantee: z.strictObject({
      name: z.string().nullable().describe('Null until the grantee has logged in once'),
    }),
    role: z.enum(GRANT_ROLES),
    access,
    confidential: z.boolean(),
    until: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'Grant' });

export const grantListSchema = z
  .strictObject({ items: z.array(grantSchema) })
  .meta({ id: 'GrantList' });
