import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import type { z } from 'zod';
import type { MailboxScope } from '#access';
import { CurrentPrincipal, type CitizenPrincipal } from '#auth';
import { ZodPipe } from '#http';
import {
  MailboxReplies,
  SendReply,
  messageSubmissionSchema,
  replySubmissionSchema,
} from '#letters';
import { IdPipe } from '../ids';
import { Route, problemResponse } from '../openapi/route';
import { ReplyBudget } from '../rate-limit/reply-budget';
import {
  mailboxReplyPageSchema,
  mailboxReplySchema,
  sentPageSchema,
  sentReplySchema,
} from '../replies.schemas';
import { ActingScope, ForMailbox, MAILBOX_PATHS } from './acting-scope';
import { pageQuerySchema } from './mailbox.schemas';

const REFUSED_DOCUMENTS = {
  400: problemResponse('A document is not an OpenPGP message encrypted to the agency alone'),
  403: problemResponse('You may read this mailbox but not write from it'),
  413: problemResponse('A document or the request is over the limit'),
  429: problemResponse('Too many replies and messages from this person'),
};

/**
 * A citizen's replies to letters and new messages to agencies, encrypted in the client to the
 * agency's key, and what they sent with the receipts that prove it arrived.
 */
@Controller(MAILBOX_PATHS)
@ForMailbox()
export class MailboxRepliesController {
  constructor(
    private readonly send: SendReply,
    private readonly replies: MailboxReplies,
    private readonly budget: ReplyBudget,
  ) {}

  @Post('letters/:id/replies')
  @HttpCode(202)
  @Route({
    summary: "Reply to a letter (documents encrypted to the agency's key)",
    tag: 'mailbox',
    body: replySubmissionSchema,
    responses: {
      202: {
        description: 'Taken; the receipt is signed into the log shortly',
        schema: sentReplySchema,
      },
      400: problemResponse('A document is not an OpenPGP message encrypted to the agency alone'),
      403: problemResponse('You may read this mailbox but not write from it'),
      404: problemResponse('No such letter'),
      409: problemResponse('The letter takes no replies, no longer, or the agency cannot receive'),
      413: problemResponse('A document or the request is over the limit'),
      429: problemResponse('Too many replies and messages from this person'),
    },
  })
  async reply(
    @CurrentPrincipal() citizen: CitizenPrincipal,
    @ActingScope() scope: MailboxScope,
    @Param('id', new IdPipe('letter')) id: string,
    @Body(new ZodPipe(replySubmissionSchema)) body: z.infer<typeof replySubmissionSchema>,
  ) {
    await this.budget.charge(citizen);
    return this.send.toLetter(scope, id, body.documents);
  }

  @Get('letters/:id/replies')
  @Route({
    summary: "The letter's replies, each with its reply_received receipt and proof",
    tag: 'mailbox',
    responses: {
      200: { description: 'Replies, oldest first', schema: mailboxReplyPageSchema },
      404: problemResponse('No such letter'),
    },
  })
  async list(@ActingScope() scope: MailboxScope, @Param('id', new IdPipe('letter')) id: string) {
    return this.replies.ofLetter(scope, id);
  }

  @Post('messages')
  @HttpCode(202)
  @Route({
    summary: 'A new message to an agency that takes them, on one of its topics',
    tag: 'mailbox',
    body: messageSubmissionSchema,
    responses: {
      202: {
        description: 'Taken; the receipt is signed into the log shortly',
        schema: sentReplySchema,
      },
      ...REFUSED_DOCUMENTS,
      404: problemResponse('No such agency'),
      409: problemResponse('The agency takes no new messages'),
    },
  })
  async message(
    @CurrentPrincipal() citizen: CitizenPrincipal,
    @ActingScope() scope: MailboxScope,
    @Body(new ZodPipe(messageSubmissionSchema)) body: z.infer<typeof messageSubmissionSchema>,
  ) {
    await this.budget.charge(citizen);
    return this.send.toAgency(scope, body);
  }

  @Get('replies/:id')
  @Route({
    summary: 'One reply or message sent, with its reply_received receipt and proof',
    tag: 'mailbox',
    responses: {
      200: { description: 'The reply', schema: mailboxReplySchema },
      404: problemResponse('No such reply'),
    },
  })
  async one(@ActingScope() scope: MailboxScope, @Param('id', new IdPipe('reply')) id: string) {
    return this.replies.one(scope, id);
  }

  @Get('sent')
  @Route({
    summary: 'Replies and messages sent, newest first',
    tag: 'mailbox',
    query: pageQuerySchema,
    responses: { 200: { description: 'A page of what was sent', schema: sentPageSchema } },
  })
  async sent(
    @ActingScope() scope: MailboxScope,
    @Query(new ZodPipe(pageQuerySchema, 'query')) query: z.infer<typeof pageQuerySchema>,
  ) {
    return this.replies.sent(scope, query.limit, query.cursor);
  }
}
