import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { z } from 'zod';
import { CurrentPrincipal, ForAgency, type AgencyPrincipal } from '#auth';
import { ZodPipe } from '#http';
import { WebhookRegistry } from '#letters';
import { IdPipe } from '../ids';
import { Route, problemResponse } from '../openapi/route';
import {
  createdWebhookSchema,
  webhookDeliveriesPageSchema,
  webhooksPageSchema,
} from './sender.schemas';

export const webhookCreateSchema = z.strictObject({
  url: z.string().min(1).max(2000),
  events: z.array(z.string().min(1).max(64)).min(1).max(20).optional(),
});

export const deliveriesQuerySchema = z.strictObject({
  status: z.enum(['pending', 'delivered', 'failed', 'cancelled']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().max(200).optional(),
});

@Controller('v1/webhooks')
@ForAgency('webhooks:manage')
export class WebhooksController {
  constructor(private readonly webhooks: WebhookRegistry) {}

  /** The signing secret is in this answer only. */
  @Post()
  @Route({
    summary: 'Register a webhook (the secret is shown once)',
    tag: 'sender',
    body: webhookCreateSchema,
    responses: {
      201: { description: 'The webhook with its signing secret', schema: createdWebhookSchema },
      400: problemResponse('An unusable URL or an unknown event type'),
      409: problemResponse(
        'The agency already has as many webhooks as it may (webhook.limit_reached)',
      ),
    },
  })
  create(
    @CurrentPrincipal() agency: AgencyPrincipal,
    @Body(new ZodPipe(webhookCreateSchema)) body: z.infer<typeof webhookCreateSchema>,
  ) {
    return this.webhooks.create(agency.agencyId, body.url, body.events);
  }

  @Get()
  @Route({
    summary: "The agency's webhooks",
    tag: 'sender',
    responses: { 200: { description: 'Webhooks', schema: webhooksPageSchema } },
  })
  list(@CurrentPrincipal() agency: AgencyPrincipal) {
    return this.webhooks.list(agency.agencyId);
  }

  @Delete(':id')
  @HttpCode(204)
  @Route({
    summary: 'Delete a webhook',
    tag: 'sender',
    responses: { 204: { description: 'Deleted' }, 404: problemResponse('No such webhook') },
  })
  async remove(
    @CurrentPrincipal() agency: AgencyPrincipal,
    @Param('id', new IdPipe('webhook')) id: string,
  ) {
    await this.webhooks.remove(agency.agencyId, id);
  }

  @Get(':id/deliveries')
  @Route({
    summary: "A webhook's deliveries (e.g. status=failed)",
    tag: 'sender',
    query: deliveriesQuerySchema,
    responses: {
      200: { description: 'Deliveries, newest first', schema: webhookDeliveriesPageSchema },
      404: problemResponse('No such webhook'),
    },
  })
  deliveries(
    @CurrentPrincipal() agency: AgencyPrincipal,
    @Param('id', new IdPipe('webhook')) id: string,
    @Query(new ZodPipe(deliveriesQuerySchema, 'query')) q: z.infer<typeof deliveriesQuerySchema>,
  ) {
    return this.webhooks.deliveries(agency.agencyId, id, q.status, q.limit, q.cursor);
  }
}
