import { pipeline } from 'node:stream';
import { Controller, Get, Logger, Res } from '@nestjs/common';
import type { Response } from 'express';
import { CurrentPrincipal, ForCitizen, type CitizenPrincipal } from '#auth';
import { BlockStream, ExportArchiveWriter } from '#evidence';
import { loggedError } from '#errors';
import { CitizenMailbox, MailboxExport } from '#letters';
import { Route } from '../openapi/route';

/** The whole mailbox as one tar archive, written as it streams (docs/evidence.md). */
@Controller('v1/mailbox')
@ForCitizen()
export class MailboxExportController {
  private readonly logger = new Logger('MailboxExport');

  constructor(
    private readonly mailbox: CitizenMailbox,
    private readonly exporter: MailboxExport,
  ) {}

  @Get('export')
  @Route({
    summary:
      'Every letter, its documents, receipts with inclusion proofs, the access log, as a tar archive that `evidence verify-export` checks offline',
    tag: 'mailbox',
    responses: {
      200: { description: 'The archive, streamed', mediaType: 'application/x-tar' },
    },
  })
  async export(@CurrentPrincipal() citizen: CitizenPrincipal, @Res() response: Response) {
    const write = await this.exporter.begin(await this.mailbox.open(citizen.nationalId));
    const createdAt = new Date();
    const archive = new ExportArchiveWriter(createdAt);
    const filename = `postkasse-export-${createdAt.toISOString().slice(0, 10)}.tar`;
    response
      .status(200)
      .setHeader('Content-Type', 'application/x-tar')
      .setHeader('Content-Disposition', `attachment; filename="${filename}"`)
      .setHeader('X-Content-Type-Options', 'nosniff')
      .setHeader('Cache-Control', 'private, no-store');
    const blocks = new BlockStream();
    archive.stream.pipe(blocks);
    // Errors end both; the catch below says why when the export itself failed.
    pipeline(blocks, response, () => undefined);
    // A client that goes away ends the export: the next file's write fails and stops it.
    response.once('close', () => {
      if (!response.writableFinished) archive.abort(new Error('the client closed the download'));
    });
    try {
      await write(archive, createdAt);
    } catch (error) {
      // Half an archive must not look like a whole one: cut the connection.
      this.logger.error({ err: loggedError(error) }, 'mailbox export failed while streaming');
      archive.abort(error instanceof Error ? error : new Error(String(error)));
      response.destroy();
    }
  }
}
