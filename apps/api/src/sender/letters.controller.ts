import { Body, Controller, Delete, Get, Headers, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { CurrentPrincipal, ForAgency, type AgencyPrincipal } from '#auth';
import { invalid } from '#errors';
import type { DecodedBase64 } from '#crypto';
import { ZodPipe, bodySha256, streamedValues, type HashedBody } from '#http';
import {
  IDEMPOTENCY_KEY,
  SenderLetters,
  SubmitLetter,
  letterSubmissionSchema,
  type LetterSubmission,
} from '#letters';
import { ApiMetrics } from '#metrics';
import { IdPipe } from '../ids';
import { Route, problemResponse } from '../openapi/route';
import { letterReceiptsSchema, senderLetterSchema, submittedLetterSchema } from './sender.schemas';

/** The Idempotency-Key header, as every submission (a letter, a batch) needs it. */
export function requireIdempotencyKey(key: string | undefined): asserts key is string {
  if (!key) throw invalid('idempotency.key_missing', 'The Idempotency-Key header is required');
  if (!IDEMPOTENCY_KEY.test(key)) {
    throw invalid(
      'idempotency.key_invalid',
      'Idempotency-Key must be 1–255 visible ASCII characters',
    );
  }
}

@Controller('v1/letters')
export class LettersController {
  constructor(
    private readonly submit: SubmitLetter,
    private readonly letters: SenderLetters,
    private readonly metrics: ApiMetrics,
  ) {}

  @Post()
  @ForAgency('letters:send')
  @Route({
    summary: 'Submit a letter',
    tag: 'sender',
    body: letterSubmissionSchema,
    headers: [
      {
        name: 'Idempotency-Key',
        required: true,
        description:
          'Unique per agency; the same key and body replays the first answer for at least 24 hours',
      },
    ],
    responses: {
      202: {
        description: 'Accepted, with the staged accepted receipt',
        schema: submittedLetterSchema,
      },
      400: problemResponse(
        'Schema error, a missing Idempotency-Key, or an unusable OpenPGP message',
      ),
      409: problemResponse(
        'The same key is still in flight; or an end-to-end letter to a recipient who reserved against digital post (recipient.reserved_end_to_end: print it yourself)',
      ),
      413: problemResponse('Too large'),
      422: problemResponse('The key was used with another body'),
      503: problemResponse(
        'Every slot for large letters is busy, or the database is unreachable; retry after Retry-After',
      ),
    },
  })
  async create(
    @CurrentPrincipal() agency: AgencyPrincipal,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Req() request: Request & HashedBody,
    @Res({ passthrough: true }) response: Response,
    @Body(new ZodPipe(letterSubmissionSchema)) submission: LetterSubmission,
  ) {
    requireIdempotencyKey(idempotencyKey);
    const result = await this.submit.execute({
      agencyId: agency.agencyId,
      idempotencyKey,
      requestSha256: bodySha256(request),
      submission,
      streamed: streamedValues<DecodedBase64>(request),
    });
    response.status(result.status);
    if (!result.replayed) this.metrics.lettersEntered.inc({ state: 'accepted' });
    if (result.replayed) response.setHeader('Idempotency-Replayed', 'true');
    response.setHeader('Location', `/v1/letters/${result.body.id}`);
    return result.body;
  }

  @Get(':id')
  @ForAgency('letters:read')
  @Route({
    summary: 'A letter and its timeline',
    tag: 'sender',
    responses: {
      200: { description: 'The letter', schema: senderLetterSchema },
      404: problemResponse('No such letter'),
    },
  })
  get(@CurrentPrincipal() agency: AgencyPrincipal, @Param('id', new IdPipe('letter')) id: string) {
    return this.letters.get(agency.agencyId, id);
  }

  @Get(':id/receipts')
  @ForAgency('letters:read')
  @Route({
    summary: "A letter's receipts (signed once sequenced)",
    tag: 'sender',
    responses: {
      200: { description: 'Receipts', schema: letterReceiptsSchema },
      404: problemResponse('No such letter'),
    },
  })
  receipts(
    @CurrentPrincipal() agency: AgencyPrincipal,
    @Param('id', new IdPipe('letter')) id: string,
  ) {
    return this.letters.receipts(agency.agencyId, id);
  }

  @Delete(':id')
  @ForAgency('letters:send')
  @Route({
    summary: 'Withdraw a letter before delivery',
    tag: 'sender',
    responses: {
      200: { description: 'The withdrawn letter', schema: senderLetterSchema },
      404: problemResponse('No such letter'),
      409: problemResponse('Already delivered'),
    },
  })
  withdraw(
    @CurrentPrincipal() agency: AgencyPrincipal,
    @Param('id', new IdPipe('letter')) id: string,
  ) {
    return this.letters.withdraw(agency.agencyId, id);
  }
}
