import { Body, Controller, Delete, Get, HttpCode, Param, Put } from '@nestjs/common';
import { z } from 'zod';
import type { MailboxScope } from '#access';
import { ZodPipe } from '#http';
import { CitizenMailbox, MailboxKeys } from '#letters';
import { IdPipe } from '../ids';
import { ActingScope, ForMailbox, MAILBOX_PATHS } from './acting-scope';
import { Route, problemResponse } from '../openapi/route';
import { mailboxKeyViewSchema, senderKeysSchema } from './mailbox.schemas';

export const mailboxKeySchema = z.strictObject({
  publicKey: z.string().min(1).max(65_536).describe("The citizen's armored OpenPGP public key"),
  encryptedPrivateKey: z
    .string()
    .min(1)
    .max(65_536)
    .optional()
    .describe("The matching private key, encrypted with the citizen's passphrase"),
});

/** The citizen's key for end-to-end letters, and the senders' keys to check them with. */
@Controller(MAILBOX_PATHS)
@ForMailbox()
export class MailboxKeyController {
  constructor(
    private readonly mailbox: CitizenMailbox,
    private readonly keys: MailboxKeys,
  ) {}

  @Get('key')
  @Route({
    summary: "The citizen's OpenPGP key for end-to-end letters (nulls when none)",
    tag: 'mailbox',
    responses: { 200: { description: 'The key', schema: mailboxKeyViewSchema } },
  })
  async get(@ActingScope() scope: MailboxScope) {
    return this.keys.get(scope);
  }

  @Put('key')
  @Route({
    summary: 'Register a public key (and the passphrase-encrypted private key, for other devices)',
    tag: 'mailbox',
    body: mailboxKeySchema,
    responses: {
      200: { description: 'The key', schema: mailboxKeyViewSchema },
      400: problemResponse('Not a usable public key, or an unprotected private key'),
    },
  })
  async put(
    @ActingScope() scope: MailboxScope,
    @Body(new ZodPipe(mailboxKeySchema)) body: z.infer<typeof mailboxKeySchema>,
  ) {
    const key = await this.keys.put(scope, body);
    await this.mailbox.trace(scope, 'mailbox.key_changed');
    return key;
  }

  @Delete('key')
  @Route({
    summary: 'Remove the key; agencies can no longer send end-to-end letters',
    tag: 'mailbox',
    responses: { 204: { description: 'Removed' } },
  })
  @HttpCode(204)
  async remove(@ActingScope() scope: MailboxScope): Promise<void> {
    await this.keys.remove(scope);
    await this.mailbox.trace(scope, 'mailbox.key_changed');
  }

  @Get('letters/:id/sender-keys')
  @Route({
    summary: "The sending agency's signing keys valid at sending, to verify end-to-end documents",
    tag: 'mailbox',
    responses: {
      200: { description: 'The keys', schema: senderKeysSchema },
      404: problemResponse('No such delivered letter'),
    },
  })
  async senderKeys(
    @ActingScope() scope: MailboxScope,
    @Param('id', new IdPipe('letter')) id: string,
  ) {
    return this.keys.senderKeys(scope, id);
  }
}
