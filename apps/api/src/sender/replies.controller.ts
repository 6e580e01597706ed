import { Controller, Get, Param, Query } from '@nestjs/common';
import type { z } from 'zod';
import { CurrentPrincipal, ForAgency, type AgencyPrincipal } from '#auth';
import { ZodPipe } from '#http';
import { AgencyReplies } from '#letters';
import { IdPipe } from '../ids';
import { Route, problemResponse } from '../openapi/route';
import { agencyReplyPageSchema, agencyReplySchema } from '../replies.schemas';
import { eventsQuerySchema } from './sender.schemas';

/** What citizens sent the agency: a feed to collect from, and each reply's ciphertext. */
@Controller('v1/replies')
export class RepliesController {
  constructor(private readonly replies: AgencyReplies) {}

  @Get()
  @ForAgency('letters:read')
  @Route({
    summary: 'Replies and messages to the agency, in log order',
    tag: 'sender',
    query: eventsQuerySchema,
    responses: {
      200: {
        description:
          'Replies in the order their reply_received receipts entered the log. nextCursor is always set: pass it as after to resume; empty items means nothing new yet',
        schema: agencyReplyPageSchema,
      },
    },
  })
  list(
    @CurrentPrincipal() agency: AgencyPrincipal,
    @Query(new ZodPipe(eventsQuerySchema, 'query')) query: z.infer<typeof eventsQuerySchema>,
  ) {
    return this.replies.feed(agency.agencyId, query.after, query.limit);
  }

  @Get(':id')
  @ForAgency('letters:read')
  @Route({
    summary: 'One reply: its documents as received (OpenPGP) and metadata',
    tag: 'sender',
    responses: {
      200: { description: 'The reply', schema: agencyReplySchema },
      404: problemResponse('No such reply (or not yet in the log)'),
    },
  })
  get(@CurrentPrincipal() agency: AgencyPrincipal, @Param('id', new IdPipe('reply')) id: string) {
    return this.replies.get(agency.agencyId, id);
  }
}
