import { API_CONTROLLERS } from '../../apps/api/src/app.module';
import { declaredRoutes, responsesOf, type HttpMethod } from '../../apps/api/src/openapi/route';
import type { JsonResponse } from './http';

const ROUTES = declaredRoutes(API_CONTROLLERS);

/**
 * Checks a real answer against what its route declares for that status: the media type, and
 * the body against the declared zod schema (strict objects, so a missing, extra or misspelt
 * field fails). Returns the body for further assertions.
 */
export function conforms<T = any>(method: HttpMethod, path: string, response: JsonResponse): T {
  const route = ROUTES.find((r) => r.method === method && r.path === path);
  if (!route) throw new Error(`${method} ${path} is not a declared route`);
  const where = `${method} ${path} → ${response.status}`;
  const declared = responsesOf(route)[response.status];
  if (!declared) {
    throw new Error(`${where} is not a declared answer: ${JSON.stringify(response.body)}`);
  }
  const contentType = (response.headers.get('content-type') ?? '').split(';')[0].trim();
  const mediaType = declared.mediaType ?? (declared.schema ? 'application/json' : null);
  if (mediaType && mediaType !== '*/*' && contentType !== mediaType) {
    throw new Error(`${where} is ${contentType}, declared ${mediaType}`);
  }
  if (!declared.schema) {
    if (mediaType === null && response.body !== '') throw new Error(`${where} has a body`);
    return response.body as T;
  }
  const parsed = declared.schema.safeParse(response.body);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`);
    throw new Error(
      `${where} does not match its schema:\n${issues.join('\n')}\n${JSON.stringify(response.body)}`,
    );
  }
  return response.body as T;
}
