import { Controller, Get, HttpCode, Res } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Response } from 'express';
import type { DataSource } from 'typeorm';
import { Public } from '#auth';
import { JobProducer } from '#queue';
import { DatabaseProbe, Sql } from '#stores';
import { NoRateLimit } from '../rate-limit/rate-limited-auth.guard';
import { Route } from '../openapi/route';
import { liveSchema, readySchema } from './health.schemas';

async function check(probe: () => Promise<unknown>): Promise<'up' | 'down'> {
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 2_000)),
    ]);
    return 'up';
  } catch {
    return 'down';
  }
}

@Controller('health')
@Public()
@NoRateLimit()
export class HealthController {
  private readonly database: DatabaseProbe;

  constructor(
    @InjectDataSource() db: DataSource,
    private readonly jobs: JobProducer,
  ) {
    this.database = new DatabaseProbe(new Sql(db));
  }

  @Get('live')
  @HttpCode(200)
  @Route({
    summary: 'Liveness',
    tag: 'health',
    responses: { 200: { description: 'Up', schema: liveSchema } },
  })
  live() {
    return { status: 'up' };
  }

  /** Ready when PostgreSQL and Redis answer. */
  @Get(['ready', ''])
  @Route({
    summary: 'Readiness: PostgreSQL and Redis (also at /health)',
    tag: 'health',
    responses: {
      200: { description: 'Up', schema: readySchema },
      503: { description: 'Down', schema: readySchema },
    },
  })
  async ready(@Res({ passthrough: true }) response: Response) {
    const [database, redis] = await Promise.all([
      check(() => this.database.ping()),
      check(() => this.jobs.ping()),
    ]);
    const up = database === 'up' && redis === 'up';
    response.status(up ? 200 : 503);
    return { status: up ? 'up' : 'down', checks: { database, redis } };
  }
}
