import { Body, Controller, Headers, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { CurrentPrincipal, ForAgency, type AgencyPrincipal } from '#auth';
import { ZodPipe, bodySha256, type HashedBody } from '#http';
import { AccessNotices, NOTICES_MAX, accessNoticesSchema, type AccessNotice } from '#letters';
import { Route, problemResponse } from '../openapi/route';
import { requireIdempotencyKey } from './letters.controller';

const acceptedNoticesSchema = z
  .strictObject({ accepted: z.number().int().min(1).max(NOTICES_MAX) })
  .meta({ id: 'AcceptedNotices' });

/** What agencies report about people's data in their own systems (DESIGN "Access notices"). */
@Controller('v1/access-notices')
export class AccessNoticesController {
  constructor(private readonly notices: AccessNotices) {}

  @Post()
  @ForAgency('access:notify')
  @Route({
    summary: "Report what happened to people's data in the agency's own systems",
    tag: 'sender',
    body: accessNoticesSchema,
    headers: [
      {
        name: 'Idempotency-Key',
        required: true,
        description:
          'Unique per agency (a key space of its own): the same key and body replays the answer',
      },
    ],
    responses: {
      202: {
        description: `All ${NOTICES_MAX} or fewer notices are in the citizens' access logs (one transaction); withheld ones appear there on their date`,
        schema: acceptedNoticesSchema,
      },
      400: problemResponse(
        'A bad notice, named (`notices[3].action: …`), a withheldUntil in the past or beyond ACCESS_WITHHOLD_MAX_DAYS, or a missing Idempotency-Key; nothing is stored',
      ),
      403: problemResponse(
        'A notice is withheld, and no operator allowed this agency to withhold (access.withholding_not_allowed)',
      ),
      409: problemResponse('A request with the same key is still in flight'),
      422: problemResponse('The key was used with another body'),
    },
  })
  async create(
    @CurrentPrincipal() agency: AgencyPrincipal,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Req() request: Request & HashedBody,
    @Res({ passthrough: true }) response: Response,
    @Body(new ZodPipe(accessNoticesSchema)) body: { notices: AccessNotice[] },
  ) {
    requireIdempotencyKey(idempotencyKey);
    const result = await this.notices.execute({
      agency: { id: agency.agencyId, name: agency.name },
      idempotencyKey,
      requestSha256: bodySha256(request),
      notices: body.notices,
    });
    response.status(result.status);
    if (result.replayed) response.setHeader('Idempotency-Replayed', 'true');
    return result.body;
  }
}
