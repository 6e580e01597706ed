import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { z } from 'zod';
import { CurrentPrincipal, ForAgency, type AgencyPrincipal } from '#auth';
import { ZodPipe } from '#http';
import { WebhookRegistry } from '#letters';
import { IdPipe } from '../ids';

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
  create(
    @CurrentPrincipal() agency: AgencyPrincipal,
    @Body(new ZodPipe(webhookCreateSchema)) body: z.infer<typeof webhookCreateSchema>,
  ) {
    return this.webhooks.create(agency.agencyId, body.url, body.events);
  }

  @Get()
  list(@CurrentPrincipal() agency: AgencyPrincipal) {
    return this.webhooks.list(agency.agencyId);
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(
    @CurrentPrincipal() agency: AgencyPrincipal,
    @Param('id', new IdPipe('webhook')) id: string,
  ) {
    await this.webhooks.remove(agency.agencyId, id);
  }

  @Get(':id/deliveries')
  deliveries(
    @CurrentPrincipal() agency: AgencyPrincipal,
    @Param('id', new IdPipe('webhook')) id: string,
    @Query(new ZodPipe(deliveriesQuerySchema, 'query')) q: z.infer<typeof deliveriesQuerySchema>,
  ) {
    return this.webhooks.deliveries(agency.agencyId, id, q.status, q.limit, q.cursor);
  }
}
