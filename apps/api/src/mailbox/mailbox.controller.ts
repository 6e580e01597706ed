import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Put,
  Query,
  Res,
} from '@nestjs/common';
import type { Response } from 'express';
import type { z } from 'zod';
import { CurrentPrincipal, ForCitizen, type CitizenPrincipal } from '#auth';
import { ZodPipe } from '#http';
import { CitizenMailbox, INLINE_MEDIA_TYPES } from '#letters';
import { IdPipe } from '../ids';
import {
  listQuerySchema,
  moveSchema,
  pageQuerySchema,
  settingsUpdateSchema,
} from './mailbox.schemas';
import { MailboxSettings } from './mailbox-settings';

@Controller('v1/mailbox')
@ForCitizen()
export class MailboxController {
  constructor(
    private readonly mailbox: CitizenMailbox,
    private readonly settings: MailboxSettings,
  ) {}

  @Get('letters')
  async list(
    @CurrentPrincipal() citizen: CitizenPrincipal,
    @Query(new ZodPipe(listQuerySchema, 'query')) query: z.infer<typeof listQuerySchema>,
  ) {
    return this.mailbox.list(await this.mailbox.open(citizen.nationalId), query);
  }

  @Get('summary')
  async summary(@CurrentPrincipal() citizen: CitizenPrincipal) {
    return this.mailbox.summary(await this.mailbox.open(citizen.nationalId));
  }

  @Get('letters/:id')
  async get(
    @CurrentPrincipal() citizen: CitizenPrincipal,
    @Param('id', new IdPipe('letter')) id: string,
  ) {
    return this.mailbox.get(await this.mailbox.open(citizen.nationalId), id);
  }

  @Get('letters/:id/documents/:documentId')
  async document(
    @CurrentPrincipal() citizen: CitizenPrincipal,
    @Param('id', new IdPipe('letter')) id: string,
    @Param('documentId', new IdPipe('document')) documentId: string,
    @Res() response: Response,
  ) {
    const doc = await this.mailbox.readDocument(
      await this.mailbox.open(citizen.nationalId),
      id,
      documentId,
    );
    const disposition = INLINE_MEDIA_TYPES.has(doc.mediaType) ? 'inline' : 'attachment';
    response
      .status(200)
      .setHeader('Content-Type', doc.mediaType)
      .setHeader(
        'Content-Disposition',
        `${disposition}; filename*=UTF-8''${encodeURIComponent(doc.filename)}`,
      )
      .setHeader('X-Content-Type-Options', 'nosniff')
      .setHeader('Content-Security-Policy', 'sandbox')
      .setHeader('Cache-Control', 'private, no-store')
      .end(doc.content);
  }

  @Post('letters/:id/acknowledge')
  @HttpCode(200)
  async acknowledge(
    @CurrentPrincipal() citizen: CitizenPrincipal,
    @Param('id', new IdPipe('letter')) id: string,
  ) {
    return this.mailbox.acknowledge(await this.mailbox.open(citizen.nationalId), id);
  }

  @Patch('letters/:id')
  async move(
    @CurrentPrincipal() citizen: CitizenPrincipal,
    @Param('id', new IdPipe('letter')) id: string,
    @Body(new ZodPipe(moveSchema)) body: z.infer<typeof moveSchema>,
  ) {
    return this.mailbox.move(await this.mailbox.open(citizen.nationalId), id, body.folder);
  }

  @Delete('letters/:id')
  async trash(
    @CurrentPrincipal() citizen: CitizenPrincipal,
    @Param('id', new IdPipe('letter')) id: string,
  ) {
    return this.mailbox.move(await this.mailbox.open(citizen.nationalId), id, 'trash');
  }

  @Get('access-log')
  async accessLog(
    @CurrentPrincipal() citizen: CitizenPrincipal,
    @Query(new ZodPipe(pageQuerySchema, 'query')) query: z.infer<typeof pageQuerySchema>,
  ) {
    return this.mailbox.accessLog(
      await this.mailbox.open(citizen.nationalId),
      query.limit,
      query.cursor,
    );
  }

  @Get('settings')
  async getSettings(@CurrentPrincipal() citizen: CitizenPrincipal) {
    return this.settings.get(await this.mailbox.open(citizen.nationalId));
  }

  @Put('settings')
  async putSettings(
    @CurrentPrincipal() citizen: CitizenPrincipal,
    @Body(new ZodPipe(settingsUpdateSchema)) body: z.infer<typeof settingsUpdateSchema>,
  ) {
    return this.settings.update(await this.mailbox.open(citizen.nationalId), body);
  }
}
