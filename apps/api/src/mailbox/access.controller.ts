import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import type { z } from 'zod';
import type { MailboxScope } from '#access';
import { CurrentPrincipal, ForCitizen, type CitizenPrincipal } from '#auth';
import { ZodPipe } from '#http';
import { CitizenMailbox, MailboxGrants } from '#letters';
import { IdPipe } from '../ids';
import { Route, problemResponse } from '../openapi/route';
import { ActingScope, ForMailbox, callerOf } from './acting-scope';
import { grantListSchema, grantRequestSchema, grantSchema, meSchema } from './access.schemas';

/** Which mailboxes the caller may act for. */
@Controller('v1/me')
@ForCitizen()
export class MeController {
  constructor(private readonly mailbox: CitizenMailbox) {}

  @Get()
  @Route({
    summary: 'The mailboxes the caller may act for, their own first',
    tag: 'mailbox',
    responses: { 200: { description: 'The caller and their mailboxes', schema: meSchema } },
  })
  async me(@CurrentPrincipal() citizen: CitizenPrincipal): Promise<z.infer<typeof meSchema>> {
    return {
      principal: { name: citizen.name },
      mailboxes: await this.mailbox.access.actingFor(callerOf(citizen)),
    };
  }
}

/** Who else may act for a mailbox: its owner's or administrators' page. */
@Controller('v1/mailboxes/:mailboxId/grants')
@ForMailbox()
export class GrantsController {
  constructor(private readonly grants: MailboxGrants) {}

  @Get()
  @Route({
    summary: "The mailbox's standing grants (owners and administrators)",
    tag: 'mailbox',
    responses: {
      200: { description: 'The grants, oldest first', schema: grantListSchema },
      404: problemResponse('No such mailbox, or not one whose access the caller manages'),
    },
  })
  async list(@ActingScope() scope: MailboxScope) {
    return { items: await this.grants.list(scope) };
  }

  @Post()
  @HttpCode(201)
  @Route({
    summary: 'Give a person access (replaces their standing grant of the same role)',
    tag: 'mailbox',
    body: grantRequestSchema,
    responses: {
      201: { description: 'The grant', schema: grantSchema },
      400: problemResponse('An invalid national id, a past end date or a role the mailbox has not'),
      404: problemResponse('No such mailbox, or not one whose access the caller manages'),
    },
  })
  async grant(
    @ActingScope() scope: MailboxScope,
    @Body(new ZodPipe(grantRequestSchema)) body: z.infer<typeof grantRequestSchema>,
  ) {
    return this.grants.grant(scope, body);
  }

  @Delete(':grantId')
  @Route({
    summary: 'Take access back at once (again: changes nothing)',
    tag: 'mailbox',
    responses: {
      200: { description: 'The grant as it was', schema: grantSchema },
      404: problemResponse('No such grant or mailbox, or not one whose access the caller manages'),
    },
  })
  async revoke(
    @ActingScope() scope: MailboxScope,
    @Param('grantId', new IdPipe('grant')) grantId: string,
  ) {
    return this.grants.revoke(scope, grantId);
  }
}
