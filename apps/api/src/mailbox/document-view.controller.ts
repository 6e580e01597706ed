import { Controller, Get, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Public } from '#auth';
import { DocumentViewTickets } from '#letters';
import { Route, problemResponse } from '../openapi/route';
import { sendDocument } from './send-document';

/**
 * Where the browser's PDF viewer fetches a document: no bearer token (the viewer cannot send
 * one), so the ticket in the path is the credential, and the filename after it is what the
 * viewer shows as its title. Unauthenticated, it counts under the per-address request limit;
 * the request log names the route without the ticket or the filename (see `loggedPath`).
 */
@Controller('v1/document-views')
@Public()
export class DocumentViewController {
  constructor(private readonly tickets: DocumentViewTickets) {}

  @Get(':ticket/:filename')
  @Route({
    summary: 'A PDF document opened with a view ticket (the first fetch issues read)',
    tag: 'mailbox',
    responses: {
      200: { description: 'The bytes, as from …/documents/{documentId}', mediaType: '*/*' },
      404: problemResponse('A wrong, expired or used-up ticket'),
    },
  })
  async view(
    @Param('ticket') ticket: string,
    @Param('filename') filename: string,
    @Res() response: Response,
  ) {
    sendDocument(response, await this.tickets.redeem(ticket, filename));
  }
}
