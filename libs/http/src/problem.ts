import { z } from 'zod';
import { problem, type Problem } from '#errors';

// The problem details themselves are made in #errors, where use cases that answer a problem per
// item (a batch of letters) make them too.
export { problem, type Problem };

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/**
 * The shape of every error answer, for the OpenAPI document and the contract test. Loose:
 * problem details allow extension members (`errors`, `requestId`, `retryAfterSeconds`).
 */
export const problemSchema = z
  .looseObject({
    type: z.url(),
    title: z.string().min(1),
    status: z.number().int().min(400).max(599),
    detail: z.string(),
    code: z.string().regex(/^[a-z_]+(\.[a-z0-9_]+)*$/),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details, with a stable `code`' });
