import { Controller, Get, Inject, Param, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { z } from 'zod';
import { CurrentPrincipal, ForAuditor, type AuditorPrincipal } from '#auth';
import { APP_CONFIG, type AppConfig } from '#config';
import { invalid } from '#errors';
import { ZodPipe } from '#http';
import { LetterEvidence, ReceiptLog } from '#letters';
import { IdPipe } from '../ids';
import { Route, problemResponse } from '../openapi/route';
import { signedTreeHeadSchema } from '../receipt.schemas';
import {
  consistencyProofSchema,
  consistencyQuerySchema,
  evidenceQuerySchema,
  evidenceSchema,
  logQuerySchema,
  treeHeadsPageSchema,
  treeHeadsQuerySchema,
} from './audit.schemas';

@Controller('v1/audit')
@ForAuditor()
export class AuditController {
  constructor(
    private readonly log: ReceiptLog,
    private readonly evidence: LetterEvidence,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The latest signed tree head; if none was signed yet, one is signed now. */
  @Get('tree-head')
  @Route({
    summary: 'The latest signed tree head',
    tag: 'audit',
    responses: { 200: { description: 'The tree head with its JWS', schema: signedTreeHeadSchema } },
  })
  async treeHead() {
    return (
      (await this.log.latestHead()) ??
      this.log.headAt(await this.log.refresh(), this.config.receiptSigningKey)
    );
  }

  @Get('tree-heads')
  @Route({
    summary: 'Earlier signed tree heads',
    tag: 'audit',
    query: treeHeadsQuerySchema,
    responses: { 200: { description: 'Tree heads in size order', schema: treeHeadsPageSchema } },
  })
  async treeHeads(
    @Query(new ZodPipe(treeHeadsQuerySchema, 'query')) q: z.infer<typeof treeHeadsQuerySchema>,
  ) {
    const items = await this.log.headsAfter(q.after ?? -1, q.limit);
    const last = items[items.length - 1];
    return { items, nextCursor: items.length === q.limit && last ? String(last.treeSize) : null };
  }

  @Get('letters/:id/evidence')
  @Route({
    summary: "A letter's receipts with inclusion proofs (written to the citizen's access log)",
    tag: 'audit',
    query: evidenceQuerySchema,
    responses: {
      200: { description: 'Evidence', schema: evidenceSchema },
      404: problemResponse('No such letter'),
    },
  })
  evidenceOf(
    @CurrentPrincipal() auditor: AuditorPrincipal,
    @Param('id', new IdPipe('letter')) id: string,
    @Query(new ZodPipe(evidenceQuerySchema, 'query')) q: z.infer<typeof evidenceQuerySchema>,
  ) {
    return this.evidence.forAuditor(
      { kind: 'auditor', id: auditor.subject, name: auditor.name },
      id,
      q.purpose,
    );
  }

  @Get('consistency')
  @Route({
    summary: 'Consistency proof between two tree sizes',
    tag: 'audit',
    query: consistencyQuerySchema,
    responses: {
      200: { description: 'The proof', schema: consistencyProofSchema },
      400: problemResponse('Sizes out of range'),
    },
  })
  async consistency(
    @Query(new ZodPipe(consistencyQuerySchema, 'query')) q: z.infer<typeof consistencyQuerySchema>,
  ) {
    return { from: q.from, to: q.to, path: await this.log.consistencyProof(q.from, q.to) };
  }

  /**
   * NDJSON: `{"index","jws"}` for entries [from, to), then one `{"treeHead"}` line with a head of
   * size `to` (signed now if no stored head has that size). `to` defaults to the latest head.
   */
  @Get('log')
  @Route({
    summary: 'NDJSON export of log entries [from, to) and a signed head of size to',
    tag: 'audit',
    query: logQuerySchema,
    responses: {
      200: {
        description: 'One {"index", "jws"} line per entry, then one {"treeHead"} line',
        schema: z.string(),
        mediaType: 'application/x-ndjson',
      },
      400: problemResponse('Range out of bounds'),
    },
  })
  async export(
    @Query(new ZodPipe(logQuerySchema, 'query')) q: z.infer<typeof logQuerySchema>,
    @Res() res: Response,
  ) {
    const size = await this.log.refresh();
    const to = q.to ?? (await this.log.latestHead())?.treeSize ?? size;
    if (q.from > to) throw invalid('log.invalid_range', '`from` must not be greater than `to`');
    const head = await this.log.headAt(to, this.config.receiptSigningKey);
    res.status(200).type('application/x-ndjson');
    for await (const entry of this.log.entries(q.from, to)) {
      if (!res.write(`${JSON.stringify(entry)}\n`)) await new Promise((r) => res.once('drain', r));
    }
    res.end(`${JSON.stringify({ treeHead: head })}\n`);
  }
}
