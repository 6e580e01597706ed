import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import type { z } from 'zod';
import { CurrentPrincipal, ForAgency, type AgencyPrincipal } from '#auth';
import { ZodPipe } from '#http';
import { RecipientLookup } from '#letters';
import { Route, problemResponse } from '../openapi/route';
import { lookupResultSchema, lookupSchema } from './sender.schemas';

@Controller('v1/recipients')
export class RecipientsController {
  constructor(private readonly lookup: RecipientLookup) {}

  @Post('lookup')
  @HttpCode(200)
  @ForAgency('recipients:lookup')
  @Route({
    summary: 'Can these people and organisations receive digital post?',
    tag: 'sender',
    body: lookupSchema,
    responses: {
      200: { description: 'The status of each number', schema: lookupResultSchema },
      400: problemResponse('A malformed number, or the body does not match its schema'),
    },
  })
  find(
    @CurrentPrincipal() agency: AgencyPrincipal,
    @Body(new ZodPipe(lookupSchema)) body: z.infer<typeof lookupSchema>,
  ) {
    return this.lookup.execute(
      { kind: 'agency', id: agency.agencyId, name: agency.name },
      { nationalIds: body.nationalIds, organisationNumbers: body.organisationNumbers },
      body.purpose,
    );
  }
}
