import type { NextFunction, Request, Response } from 'express';
import type { ApiMetrics } from './metrics';

/**
 * The route a request matched, as its template: Express leaves the matched route on the request.
 * Anything that matched none (404s, static files, the web client) shares one label, so a
 * scanner's random paths cannot grow the series without bound.
 */
export function routeLabel(request: Request): string {
  const route = (request as { route?: { path?: unknown } }).route;
  if (route && typeof route.path === 'string') return `${request.baseUrl}${route.path}`;
  return 'unmatched';
}

/** Times every request to the end of its answer (or the client's hang-up). */
export function requestMetrics(metrics: ApiMetrics) {
  return (request: Request, response: Response, next: NextFunction): void => {
    const end = metrics.requestDuration.startTimer();
    response.once('close', () =>
      end({ method: request.method, route: routeLabel(request), status: response.statusCode }),
    );
    next();
  };
}
