import { Controller, Get, Query } from '@nestjs/common';
import { CurrentPrincipal, ForAgency, type AgencyPrincipal } from '#auth';
import { ZodPipe } from '#http';
import { SenderLetters } from '#letters';
import type { z } from 'zod';
import { eventsQuerySchema } from './sender.schemas';

@Controller('v1/events')
export class EventsController {
  constructor(private readonly letters: SenderLetters) {}

  @Get()
  @ForAgency('letters:read')
  list(
    @CurrentPrincipal() agency: AgencyPrincipal,
    @Query(new ZodPipe(eventsQuerySchema, 'query')) query: z.infer<typeof eventsQuerySchema>,
  ) {
    return this.letters.events(agency.agencyId, query.after, query.limit);
  }
}
