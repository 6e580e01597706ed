import { Controller, Get, Header } from '@nestjs/common';
import { z } from 'zod';
import { Public } from '#auth';
import { ApiMetrics, METRICS_CONTENT_TYPE } from '#metrics';
import { NoRateLimit } from '../rate-limit/rate-limited-auth.guard';
import { Route } from '../openapi/route';

/**
 * Prometheus scrapes this process's own figures; outside /v1 and not counted against a caller's
 * request budget, like the health probes. The pipeline's gauges (queues, outbox, sequencer, tree
 * heads) are the worker's to report, so several API processes do not report them twice over.
 */
@Controller('metrics')
@Public()
@NoRateLimit()
export class MetricsController {
  constructor(private readonly metrics: ApiMetrics) {}

  @Get()
  @Header('content-type', METRICS_CONTENT_TYPE)
  @Route({
    summary:
      'Prometheus metrics of this API process (request durations by route template, letters accepted)',
    tag: 'health',
    responses: {
      200: {
        description: 'The Prometheus text format',
        schema: z.string(),
        mediaType: 'text/plain',
      },
    },
  })
  scrape(): Promise<string> {
    return this.metrics.text();
  }
}
