import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Put,
  Query,
  Res,
} from '@nestjs/common';
import type { Response } from 'express';
import type { z } from 'zod';
import type { MailboxScope } from '#access';
import { ZodPipe } from '#http';
import { CitizenMailbox, DocumentViewTickets } from '#letters';
import { IdPipe } from '../ids';
import { ActingScope, ForMailbox, MAILBOX_PATHS } from './acting-scope';
import { Route, problemResponse } from '../openapi/route';
import { receiptSchema } from '../receipt.schemas';
import {
  accessLogPageSchema,
  listQuerySchema,
  mailboxLetterPageSchema,
  mailboxLetterSchema,
  mailboxSummarySchema,
  moveSchema,
  pageQuerySchema,
  settingsSchema,
  settingsUpdateSchema,
  viewTicketSchema,
} from './mailbox.schemas';
import { MailboxSettings } from './mailbox-settings';
import { sendDocument } from './send-document';

/** A mailbox's letters and settings, at `/v1/mailbox/…` and `/v1/mailboxes/{mailboxId}/…`. */
@Controller(MAILBOX_PATHS)
@ForMailbox()
export class MailboxController {
  constructor(
    private readonly mailbox: CitizenMailbox,
    private readonly settings: MailboxSettings,
    private readonly viewTickets: DocumentViewTickets,
  ) {}

  @Get('letters')
  @Route({
    summary: 'List letters in a folder, newest first',
    tag: 'mailbox',
    query: listQuerySchema,
    responses: { 200: { description: 'A page of letters', schema: mailboxLetterPageSchema } },
  })
  async list(
    @ActingScope() scope: MailboxScope,
    @Query(new ZodPipe(listQuerySchema, 'query')) query: z.infer<typeof listQuerySchema>,
  ) {
    return this.mailbox.list(scope, query);
  }

  @Get('summary')
  @Route({
    summary: 'Unread and needs-action counts',
    tag: 'mailbox',
    responses: { 200: { description: 'Counts', schema: mailboxSummarySchema } },
  })
  async summary(@ActingScope() scope: MailboxScope) {
    return this.mailbox.summary(scope);
  }

  @Get('letters/:id')
  @Route({
    summary: 'One letter',
    tag: 'mailbox',
    responses: {
      200: { description: 'The letter', schema: mailboxLetterSchema },
      404: problemResponse('No such letter'),
    },
  })
  async get(@ActingScope() scope: MailboxScope, @Param('id', new IdPipe('letter')) id: string) {
    return this.mailbox.get(scope, id);
  }

  @Get('letters/:id/documents/:documentId')
  @Route({
    summary: 'A document, decrypted (the first fetch issues read)',
    tag: 'mailbox',
    responses: {
      200: { description: 'The bytes, with the stored media type', mediaType: '*/*' },
      404: problemResponse('No such letter or document'),
    },
  })
  async document(
    @ActingScope() scope: MailboxScope,
    @Param('id', new IdPipe('letter')) id: string,
    @Param('documentId', new IdPipe('document')) documentId: string,
    @Res() response: Response,
  ) {
    const doc = await this.mailbox.readDocument(scope, id, documentId);
    sendDocument(response, doc);
  }

  @Post('letters/:id/documents/:documentId/view-ticket')
  @HttpCode(201)
  @Route({
    summary: 'A short-lived URL that opens a PDF document without the token (for the PDF viewer)',
    tag: 'mailbox',
    responses: {
      201: { description: 'The URL, ending in the filename', schema: viewTicketSchema },
      404: problemResponse('No such letter or document'),
      409: problemResponse('Not a PDF, or the letter is end-to-end encrypted'),
      503: problemResponse('Tickets are unavailable (Redis is down); fetch the document instead'),
    },
  })
  async viewTicket(
    @ActingScope() scope: MailboxScope,
    @Param('id', new IdPipe('letter')) id: string,
    @Param('documentId', new IdPipe('document')) documentId: string,
  ): Promise<z.infer<typeof viewTicketSchema>> {
    return { url: await this.viewTickets.issue(scope, id, documentId) };
  }

  @Post('letters/:id/acknowledge')
  @HttpCode(200)
  @Route({
    summary: 'Acknowledge a read letter',
    tag: 'mailbox',
    responses: {
      200: { description: 'The acknowledged receipt', schema: receiptSchema },
      404: problemResponse('No such letter'),
      409: problemResponse('Not read yet, or no acknowledgement was requested'),
    },
  })
  async acknowledge(
    @ActingScope() scope: MailboxScope,
    @Param('id', new IdPipe('letter')) id: string,
  ) {
    return this.mailbox.acknowledge(scope, id);
  }

  @Post('letters/:id/mark-unread')
  @HttpCode(200)
  @Route({
    summary: 'Mark a letter unread again (the read receipt stays)',
    tag: 'mailbox',
    responses: {
      200: { description: 'The letter', schema: mailboxLetterSchema },
      404: problemResponse('No such letter'),
    },
  })
  async markUnread(
    @ActingScope() scope: MailboxScope,
    @Param('id', new IdPipe('letter')) id: string,
  ) {
    return this.mailbox.markUnread(scope, id);
  }

  @Patch('letters/:id')
  @Route({
    summary: 'Move to a folder (out of trash restores)',
    tag: 'mailbox',
    body: moveSchema,
    responses: {
      200: { description: 'The letter', schema: mailboxLetterSchema },
      404: problemResponse('No such letter'),
    },
  })
  async move(
    @ActingScope() scope: MailboxScope,
    @Param('id', new IdPipe('letter')) id: string,
    @Body(new ZodPipe(moveSchema)) body: z.infer<typeof moveSchema>,
  ) {
    return this.mailbox.move(scope, id, body.folder);
  }

  @Delete('letters/:id')
  @Route({
    summary: 'Move to trash',
    tag: 'mailbox',
    responses: {
      200: { description: 'The letter', schema: mailboxLetterSchema },
      404: problemResponse('No such letter'),
    },
  })
  async trash(@ActingScope() scope: MailboxScope, @Param('id', new IdPipe('letter')) id: string) {
    return this.mailbox.move(scope, id, 'trash');
  }

  @Get('access-log')
  @Route({
    summary: 'Who has looked up my data',
    tag: 'mailbox',
    query: pageQuerySchema,
    responses: { 200: { description: 'Entries, newest first', schema: accessLogPageSchema } },
  })
  async accessLog(
    @ActingScope() scope: MailboxScope,
    @Query(new ZodPipe(pageQuerySchema, 'query')) query: z.infer<typeof pageQuerySchema>,
  ) {
    return this.mailbox.accessLog(scope, query.limit, query.cursor);
  }

  @Get('settings')
  @Route({
    summary: 'Mailbox settings',
    tag: 'mailbox',
    responses: { 200: { description: 'Settings', schema: settingsSchema } },
  })
  async getSettings(@ActingScope() scope: MailboxScope) {
    return this.settings.get(scope);
  }

  @Put('settings')
  @Route({
    summary: 'Update the writable settings named',
    tag: 'mailbox',
    body: settingsUpdateSchema,
    responses: {
      200: { description: 'Settings', schema: settingsSchema },
      400: problemResponse('An unknown or read-only field, or an invalid value'),
    },
  })
  async putSettings(
    @ActingScope() scope: MailboxScope,
    @Body(new ZodPipe(settingsUpdateSchema)) body: z.infer<typeof settingsUpdateSchema>,
  ) {
    return this.settings.update(scope, body);
  }
}
