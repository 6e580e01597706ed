import { STATUS_CODES } from 'node:http';
import { z } from 'zod';

/** RFC 9457 problem details, with our stable `code`. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export function problem(
  status: number,
  code: string,
  detail: string,
  extra: Record<string, unknown> = {},
): Problem {
  return {
    type: `https://postkasse.dev/problems/${code.replace(/\./g, '/')}`,
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail,
    code,
    ...extra,
  };
}

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
