import { Body, Controller, Headers, HttpCode, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { CurrentPrincipal, ForAgency, type AgencyPrincipal } from '#auth';
import type { DecodedBase64 } from '#crypto';
import { DomainError } from '#errors';
import { ZodPipe, bodySha256, streamedValues, type HashedBody } from '#http';
import {
  BATCH_MAX_LETTERS,
  SubmitLetterBatch,
  batchLetterSchema,
  letterBatchSchema,
  type BatchEntry,
} from '#letters';
import { ApiMetrics } from '#metrics';
import { Route, problemResponse } from '../openapi/route';
import { requireIdempotencyKey } from './letters.controller';
import { letterBatchAnswerSchema } from './sender.schemas';

const letter = new ZodPipe(batchLetterSchema);

/**
 * Many letters in one request (DESIGN "Batches"). The envelope is checked here and refused as
 * a whole; each letter is checked on its own, so that an invalid one is its own 400.
 */
@Controller('v1/letter-batches')
export class LetterBatchesController {
  constructor(
    private readonly submit: SubmitLetterBatch,
    private readonly metrics: ApiMetrics,
  ) {}

  @Post()
  @HttpCode(200)
  @ForAgency('letters:send')
  @Route({
    summary: 'Submit a batch of letters',
    tag: 'sender',
    body: letterBatchSchema,
    headers: [
      {
        name: 'Idempotency-Key',
        required: true,
        description:
          "The batch's key, unique per agency: the same key and body replays the whole answer; each letter has its own key besides",
      },
    ],
    responses: {
      200: {
        description: `Up to ${BATCH_MAX_LETTERS} letters, each answered in the order sent: 202 and the letter if it was accepted (or had been, under its key), otherwise the 4xx problem a single submission would have had; a refused letter is not stored`,
        schema: letterBatchAnswerSchema,
      },
      400: problemResponse(
        `Not a batch: no letters, more than ${BATCH_MAX_LETTERS}, an unknown field, or a missing Idempotency-Key`,
      ),
      409: problemResponse('A request with the same batch key is still in flight'),
      413: problemResponse('Too large'),
      422: problemResponse("The batch's key was used with another body"),
      503: problemResponse(
        'Every slot for large requests is busy, or the database is unreachable; retry after Retry-After',
      ),
    },
  })
  async create(
    @CurrentPrincipal() agency: AgencyPrincipal,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Req() request: Request & HashedBody,
    @Res({ passthrough: true }) response: Response,
    @Body(new ZodPipe(letterBatchSchema)) batch: { letters: unknown[] },
  ) {
    requireIdempotencyKey(idempotencyKey);
    const result = await this.submit.execute({
      agencyId: agency.agencyId,
      idempotencyKey,
      requestSha256: bodySha256(request),
      letters: batch.letters.map(entryOf),
      streamed: streamedValues<DecodedBase64>(request),
    });
    if (result.accepted > 0)
      this.metrics.lettersEntered.inc({ state: 'accepted' }, result.accepted);
    if (result.replayed) response.setHeader('Idempotency-Replayed', 'true');
    return { items: result.items };
  }
}

/**
 * One letter parsed as the single route parses its body, or the 400 that route would answer
 * (a missing or unusable `idempotencyKey` among the schema's findings). The key is echoed as
 * sent when it is a string, so the agency can match the answer to its letter.
 */
function entryOf(value: unknown): BatchEntry {
  try {
    const { idempotencyKey, ...submission } = letter.transform(value);
    return { idempotencyKey, submission };
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    return { idempotencyKey: keyOf(value), refused: error };
  }
}

function keyOf(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || !('idempotencyKey' in value)) return null;
  return typeof value.idempotencyKey === 'string' ? value.idempotencyKey : null;
}
