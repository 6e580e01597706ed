import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import type { z } from 'zod';
import { CurrentPrincipal, ForCitizen, type CitizenPrincipal } from '#auth';
import { ZodPipe } from '#http';
import { CitizenMailbox, MailboxReplies, SendReply, replySubmissionSchema } from '#letters';
import { IdPipe } from '../ids';
import { Route, problemResponse } from '../openapi/route';
import { ReplyBudget } from '../rate-limit/reply-budget';
import { mailboxReplyPageSchema, sentReplySchema } from '../replies.schemas';

/** A citizen's replies to letters, encrypted in the browser to the sending agency's key. */
@Controller('v1/mailbox')
@ForCitizen()
export class MailboxRepliesController {
  constructor(
    private readonly mailbox: CitizenMailbox,
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
    @Param('id', new IdPipe('letter')) id: string,
    @Body(new ZodPipe(replySubmissionSchema)) body: z.infer<typeof replySubmissionSchema>,
  ) {
    const scope = await this.mailbox.open(citizen.nationalId);
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
  async list(
    @CurrentPrincipal() citizen: CitizenPrincipal,
    @Param('id', new IdPipe('letter')) id: string,
  ) {
    return this.replies.ofLetter(await this.mailbox.open(citizen.nationalId), id);
  }
}
