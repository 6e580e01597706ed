import { z } from 'zod';

const up = z.enum(['up', 'down']);

export const liveSchema = z.strictObject({ status: z.literal('up') }).meta({ id: 'Live' });

export const readySchema = z
  .strictObject({ status: up, checks: z.strictObject({ database: up, redis: up }) })
  .meta({ id: 'Readiness' });
