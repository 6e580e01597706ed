import { Body, Controller, Delete, Get, Headers, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { CurrentPrincipal, ForAgency, type AgencyPrincipal } from '#auth';
import { invalid } from '#errors';
import type { DecodedBase64 } from '#crypto';
import { ZodPipe, bodySha256, streamedValues, type HashedBody } from '#http';
import {
  SenderLetters,
  SubmitLetter,
  letterSubmissionSchema,
  type LetterSubmission,
} from '#letters';
import { IdPipe } from '../ids';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

@Controller('v1/letters')
export class LettersController {
  constructor(
    private readonly submit: SubmitLetter,
    private readonly letters: SenderLetters,
  ) {}

  @Post()
  @ForAgency('letters:send')
  async create(
    @CurrentPrincipal() agency: AgencyPrincipal,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Req() request: Request & HashedBody,
    @Res({ passthrough: true }) response: Response,
    @Body(new ZodPipe(letterSubmissionSchema)) submission: LetterSubmission,
  ) {
    if (!idempotencyKey)
      throw invalid('idempotency.key_missing', 'The Idempotency-Key header is required');
    if (!IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw invalid(
        'idempotency.key_invalid',
        'Idempotency-Key must be 1–255 visible ASCII characters',
      );
    }
    const result = await this.submit.execute({
      agencyId: agency.agencyId,
      idempotencyKey,
      requestSha256: bodySha256(request),
      submission,
      streamed: streamedValues<DecodedBase64>(request),
    });
    response.status(result.status);
    if (result.replayed) response.setHeader('Idempotency-Replayed', 'true');
    response.setHeader('Location', `/v1/letters/${result.body.id}`);
    return result.body;
  }

  @Get(':id')
  @ForAgency('letters:read')
  get(@CurrentPrincipal() agency: AgencyPrincipal, @Param('id', new IdPipe('letter')) id: string) {
    return this.letters.get(agency.agencyId, id);
  }

  @Get(':id/receipts')
  @ForAgency('letters:read')
  receipts(
    @CurrentPrincipal() agency: AgencyPrincipal,
    @Param('id', new IdPipe('letter')) id: string,
  ) {
    return this.letters.receipts(agency.agencyId, id);
  }

  @Delete(':id')
  @ForAgency('letters:send')
  withdraw(
    @CurrentPrincipal() agency: AgencyPrincipal,
    @Param('id', new IdPipe('letter')) id: string,
  ) {
    return this.letters.withdraw(agency.agencyId, id);
  }
}
