import { Controller, Get, Inject, Param, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { z } from 'zod';
import { CurrentPrincipal, ForAuditor, type AuditorPrincipal } from '#auth';
import { APP_CONFIG, type AppConfig } from '#config';
import { invalid } from '#errors';
import { ZodPipe } from '#http';
import { LetterEvidence, ReceiptLog } from '#letters';
import { IdPipe } from '../ids';
import {
  consistencyQuerySchema,
  evidenceQuerySchema,
  logQuerySchema,
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
  async treeHead() {
    return (
      (await this.log.latestHead()) ??
      this.log.headAt(await this.log.refresh(), this.config.receiptSigningKey)
    );
  }

  @Get('tree-heads')
  async treeHeads(
    @Query(new ZodPipe(treeHeadsQuerySchema, 'query')) q: z.infer<typeof treeHeadsQuerySchema>,
  ) {
    const items = await this.log.headsAfter(q.after ?? -1, q.limit);
    const last = items[items.length - 1];
    return { items, nextCursor: items.length === q.limit && last ? String(last.treeSize) : null };
  }

  @Get('letters/:id/evidence')
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
