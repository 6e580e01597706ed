import { Controller, Get, Param } from '@nestjs/common';
import type { MailboxScope } from '#access';
import { AccessLogEvidence } from '#letters';
import { IdPipe } from '../ids';
import { Route, problemResponse } from '../openapi/route';
import { ActingScope, ForMailbox, MAILBOX_PATHS } from './acting-scope';
import { accessEntryProofSchema, accessLogEvidenceSchema } from './mailbox.schemas';

/**
 * The citizen's check that nothing was dropped from or slipped into their access log: each
 * entry against its leaf in the transparency log (DESIGN "Access notices").
 */
@Controller(MAILBOX_PATHS)
@ForMailbox()
export class AccessLogEvidenceController {
  constructor(private readonly evidence: AccessLogEvidence) {}

  @Get('access-log/evidence')
  @Route({
    summary: 'My access log with its leaves and inclusion proofs against one signed tree head',
    tag: 'mailbox',
    responses: {
      200: {
        description:
          'Every entry I may see, as its leaf commits to it; every leaf of my mailbox I may see, with its proof (`evidence verify-access-log` checks it)',
        schema: accessLogEvidenceSchema,
      },
    },
  })
  async all(@ActingScope() scope: MailboxScope) {
    return this.evidence.evidence(scope);
  }

  @Get('access-log/:id/proof')
  @Route({
    summary: "An access-log entry's inclusion proof against a signed tree head",
    tag: 'mailbox',
    responses: {
      200: { description: 'The entry, its leaf and the proof', schema: accessEntryProofSchema },
      404: problemResponse('No such entry (or one still withheld)'),
      409: problemResponse(
        "The entry's leaf is not in the log yet (access_log.not_yet_logged: retry shortly), or the entry predates leaves (access_log.not_committed)",
      ),
    },
  })
  async proof(
    @ActingScope() scope: MailboxScope,
    @Param('id', new IdPipe('access_log_entry')) id: string,
  ) {
    return this.evidence.proof(scope, id);
  }
}
