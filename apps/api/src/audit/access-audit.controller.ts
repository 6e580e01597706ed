import { Controller, Get, Param, Query } from '@nestjs/common';
import type { z } from 'zod';
import { ForAuditor } from '#auth';
import { ZodPipe } from '#http';
import { AccessAudit, AccessLogEvidence } from '#letters';
import { IdPipe } from '../ids';
import { accessEntryProofSchema } from '../mailbox/mailbox.schemas';
import { Route, problemResponse } from '../openapi/route';
import { withheldAccessPageSchema, withheldQuerySchema } from './audit.schemas';

/**
 * Access-log entries for auditors: the withheld ones, which the citizen does not see yet, and
 * any entry's proof against the transparency log.
 */
@Controller('v1/audit')
@ForAuditor()
export class AccessAuditController {
  constructor(
    private readonly audit: AccessAudit,
    private readonly evidence: AccessLogEvidence,
  ) {}

  @Get('access-log/:id/proof')
  @Route({
    summary: "Any access-log entry's leaf and inclusion proof, withheld or not",
    tag: 'audit',
    responses: {
      200: {
        description:
          'The entry, its leaf (whose time is when it was committed) and the proof; `evidence verify-access-log` checks it',
        schema: accessEntryProofSchema,
      },
      404: problemResponse('No such entry'),
      409: problemResponse("The entry's leaf is not in the log yet, or the entry predates leaves"),
    },
  })
  proof(@Param('id', new IdPipe('access_log_entry')) id: string) {
    return this.evidence.proofForAuditor(id);
  }

  @Get('withheld-access')
  @Route({
    summary: 'Access-log entries withheld from citizens, released or not, with their basis',
    tag: 'audit',
    query: withheldQuerySchema,
    responses: {
      200: {
        description: 'Withheld entries by the end of their withholding',
        schema: withheldAccessPageSchema,
      },
    },
  })
  list(@Query(new ZodPipe(withheldQuerySchema, 'query')) q: z.infer<typeof withheldQuerySchema>) {
    return this.audit.withheld(q.limit, q.cursor);
  }
}
