import { Controller, Get, Query } from '@nestjs/common';
import type { z } from 'zod';
import { ForAuditor } from '#auth';
import { ZodPipe } from '#http';
import { AccessAudit } from '#letters';
import { Route } from '../openapi/route';
import { withheldAccessPageSchema, withheldQuerySchema } from './audit.schemas';

/** Withheld access-log entries, which the citizen does not see yet but auditors must. */
@Controller('v1/audit/withheld-access')
@ForAuditor()
export class WithheldAccessController {
  constructor(private readonly audit: AccessAudit) {}

  @Get()
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
