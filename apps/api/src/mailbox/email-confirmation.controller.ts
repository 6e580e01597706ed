import { Body, Controller, Get, HttpCode, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { z } from 'zod';
import type { MailboxScope } from '#access';
import { Public } from '#auth';
import { conflict } from '#errors';
import { ZodPipe } from '#http';
import { renderConfirmationPage, renderConfirmedPage } from '#notifications';
import { Route, problemResponse } from '../openapi/route';
import { ActingScope, ForMailbox, MAILBOX_PATHS } from './acting-scope';
import {
  confirmationQuerySchema,
  confirmationSentSchema,
  confirmedSchema,
  htmlPage,
  optionalConfirmationBodySchema,
} from './email-confirmation.schemas';
import { EmailConfirmationService } from './email-confirmation.service';

const optionalBody = optionalConfirmationBodySchema;

function sendHtml(response: Response, status: number, html: string): void {
  response
    .status(status)
    .setHeader('Content-Type', 'text/html; charset=utf-8')
    .setHeader('Cache-Control', 'no-store')
    .setHeader('Referrer-Policy', 'no-referrer')
    .setHeader('X-Content-Type-Options', 'nosniff')
    .setHeader(
      'Content-Security-Policy',
      "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
    )
    .end(html);
}

/**
 * The link in the confirmation email opens a page (GET changes nothing, so link scanners in
 * mail systems confirm nothing); its button POSTs the token. Clients may POST `{"token"}` too.
 */
@Controller('v1/email-confirmation')
@Public()
export class EmailConfirmationController {
  constructor(private readonly service: EmailConfirmationService) {}

  @Get()
  @Route({
    summary: "The confirmation link's page (HTML); it confirms nothing by itself",
    tag: 'mailbox',
    query: confirmationQuerySchema,
    responses: {
      200: { description: 'A page with a confirm button', ...htmlPage },
      400: problemResponse('Invalid token'),
      409: problemResponse('Already used'),
      410: problemResponse('Expired'),
    },
  })
  async page(
    @Query(new ZodPipe(confirmationQuerySchema, 'query'))
    query: z.infer<typeof confirmationQuerySchema>,
    @Res() response: Response,
  ) {
    const { language } = await this.service.confirmations.inspect(query.token);
    const action = `/v1/email-confirmation?token=${encodeURIComponent(query.token)}`;
    sendHtml(response, 200, renderConfirmationPage(language, action));
  }

  @Post()
  @HttpCode(200)
  @Route({
    summary: 'Confirm a notification address with the token from the email',
    tag: 'mailbox',
    body: optionalBody,
    responses: {
      200: {
        description: 'Confirmed (a page when the client asks for HTML)',
        schema: confirmedSchema,
      },
      400: problemResponse('Invalid token'),
      409: problemResponse('Already used'),
      410: problemResponse('Expired'),
    },
  })
  async confirm(
    @Query() query: Record<string, unknown>,
    @Body(new ZodPipe(optionalBody)) body: z.infer<typeof optionalBody>,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ) {
    const token =
      (body && 'token' in body ? body.token : undefined) ??
      (typeof query.token === 'string' ? query.token : '');
    const confirmed = await this.service.confirmations.confirm(token);
    if (request.accepts(['json', 'html']) === 'html') {
      sendHtml(response, 200, renderConfirmedPage(confirmed.language));
      return;
    }
    return { notificationEmail: confirmed.notificationEmail, emailConfirmed: true };
  }
}

/** A citizen whose link expired or never arrived asks for a new one. */
@Controller(MAILBOX_PATHS)
@ForMailbox()
export class EmailConfirmationResendController {
  constructor(private readonly service: EmailConfirmationService) {}

  @Post('settings/email-confirmation')
  @HttpCode(202)
  @Route({
    summary: 'Send a new confirmation link to the unconfirmed notification address',
    tag: 'mailbox',
    responses: {
      202: { description: 'Sent', schema: confirmationSentSchema },
      409: problemResponse('No unconfirmed address'),
      503: problemResponse('The mail server is unavailable'),
    },
  })
  async resend(@ActingScope() scope: MailboxScope) {
    const outcome = await this.service.resend(scope);
    if (outcome === 'nothing_to_confirm') {
      throw conflict(
        'email_confirmation.nothing_to_confirm',
        'There is no unconfirmed notification address',
      );
    }
    return { status: 'sent' };
  }
}
