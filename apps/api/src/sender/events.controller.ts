import { Controller, Get, Query } from '@nestjs/common';
import { CurrentPrincipal, ForAgency, type AgencyPrincipal } from '#auth';
import { ZodPipe } from '#http';
import { SenderLetters } from '#letters';
import type { z } from 'zod';
import { Route } from '../openapi/route';
import { eventsPageSchema, eventsQuerySchema } from './sender.schemas';

@Controller('v1/events')
export class EventsController {
  constructor(private readonly letters: SenderLetters) {}

  @Get()
  @ForAgency('letters:read')
  @Route({
    summary: "The agency's receipts in log order",
    tag: 'sender',
    query: eventsQuerySchema,
    responses: {
      200: {
        description:
          'Events in log order. nextCursor is always set: pass it as after for the next page, and keep the last one to resume from; empty items means nothing new yet',
        schema: eventsPageSchema,
      },
    },
  })
  list(
    @CurrentPrincipal() agency: AgencyPrincipal,
    @Query(new ZodPipe(eventsQuerySchema, 'query')) query: z.infer<typeof eventsQuerySchema>,
  ) {
    return this.letters.events(agency.agencyId, query.after, query.limit);
  }
}
