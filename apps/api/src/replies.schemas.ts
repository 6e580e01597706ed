import { z } from 'zod';
import { ACTING_ROLES } from '#access';
import {
  inclusionProofSchema,
  receiptSchema,
  signedTreeHeadSchema,
  compactJwsSchema,
} from './receipt.schemas';

/** Shapes of replies, shared by the citizen's and the agency's answers (DESIGN "Replies"). */

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);

export const replyDocumentMetaSchema = z
  .strictObject({
    id: z.uuid(),
    filename: z.string().min(1),
    mediaType: z.string().min(1),
    /** Bytes of the OpenPGP message as received. */
    size: z.int().min(0),
    sha256: sha256Hex,
  })
  .meta({ id: 'ReplyDocument' });

export const sentReplySchema = z
  .strictObject({
    id: z.uuid(),
    receipt: receiptSchema.describe('The reply_received receipt as staged'),
  })
  .meta({ id: 'SentReply' });

export const replyReceiptSchema = receiptSchema
  .extend({
    jws: compactJwsSchema.nullable(),
    inclusionProof: inclusionProofSchema.nullable(),
    treeHead: signedTreeHeadSchema.nullable(),
  })
  .meta({ id: 'ReplyReceipt' });

export const mailboxReplySchema = z
  .strictObject({
    id: z.uuid(),
    /** The letter answered; null for a new message, which has a topic. */
    letterId: z.uuid().nullable(),
    topic: z.string().nullable(),
    agency: z.strictObject({ id: z.uuid(), name: z.string() }),
    at: z.iso.datetime(),
    writtenAs: z.enum(ACTING_ROLES),
    documents: z.array(replyDocumentMetaSchema),
    receipt: replyReceiptSchema,
  })
  .meta({ id: 'MailboxReply' });

export const mailboxReplyPageSchema = z
  .strictObject({ items: z.array(mailboxReplySchema) })
  .meta({ id: 'MailboxReplyPage' });

export const sentPageSchema = z
  .strictObject({ items: z.array(mailboxReplySchema), nextCursor: z.string().nullable() })
  .meta({ id: 'SentPage' });

const agencyReplyShape = {
  id: z.uuid(),
  letterId: z.uuid().nullable(),
  topic: z.string().nullable(),
  at: z.iso.datetime(),
  writtenAs: z.enum(ACTING_ROLES),
  encryptionKey: z.string().describe('Fingerprint of the agency key it is encrypted to'),
  logIndex: z.int().min(0),
};

export const agencyReplyPageSchema = z
  .strictObject({
    items: z.array(
      z
        .strictObject({ ...agencyReplyShape, documents: z.array(replyDocumentMetaSchema) })
        .meta({ id: 'AgencyReplyItem' }),
    ),
    nextCursor: z.string(),
  })
  .meta({ id: 'AgencyReplyPage' });

export const agencyReplySchema = z
  .strictObject({
    ...agencyReplyShape,
    documents: z.array(
      replyDocumentMetaSchema.extend({
        content: z.string().describe('The OpenPGP message, base64 of the binary form'),
      }),
    ),
  })
  .meta({ id: 'AgencyReply' });

export const agencyDirectorySchema = z
  .strictObject({
    items: z.array(
      z
        .strictObject({
          id: z.uuid(),
          name: z.string(),
          encryptionKey: z
            .strictObject({
              fingerprint: z.string(),
              publicKey: z.string().startsWith('-----BEGIN PGP PUBLIC KEY BLOCK-----'),
            })
            .nullable(),
          acceptsMessages: z.boolean(),
          topics: z.array(z.string()),
        })
        .meta({ id: 'DirectoryAgency' }),
    ),
    nextCursor: z.null(),
  })
  .meta({ id: 'AgencyDirectory' });
