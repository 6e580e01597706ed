import { Body, Controller, Delete, Get, HttpCode, Param, Put } from '@nestjs/common';
import { z } from 'zod';
import { CurrentPrincipal, ForCitizen, type CitizenPrincipal } from '#auth';
import { ZodPipe } from '#http';
import { CitizenMailbox, MailboxKeys } from '#letters';
import { IdPipe } from '../ids';
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
@Controller('v1/mailbox')
@ForCitizen()
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
  async get(@CurrentPrincipal() citizen: CitizenPrincipal) {
    return this.keys.get(await this.mailbox.open(citizen.nationalId));
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
    @CurrentPrincipal() citizen: CitizenPrincipal,
    @Body(new ZodPipe(mailboxKeySchema)) body: z.infer<typeof mailboxKeySchema>,
  ) {
    return this.keys.put(await this.mailbox.open(citizen.nationalId), body);
  }

  @Delete('key')
  @Route({
    summary: 'Remove the key; agencies can no longer send end-to-end letters',
    tag: 'mailbox',
    responses: { 204: { description: 'Removed' } },
  })
  @HttpCode(204)
  async remove(@CurrentPrincipal() citizen: CitizenPrincipal): Promise<void> {
    await this.keys.remove(await this.mailbox.open(citizen.nationalId));
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
    @CurrentPrincipal() citizen: CitizenPrincipal,
    @Param('id', new IdPipe('letter')) id: string,
  ) {
    return this.keys.senderKeys(await this.mailbox.open(citizen.nationalId), id);
  }
}
