import {
  Catch,
  HttpException,
  Logger,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { isConnectionError } from '#database';
import { BusyError, DomainError, RateLimitedError, UnavailableError } from '#errors';
import { BodyReadError } from './body-read-error';
import { PROBLEM_CONTENT_TYPE, problem, type Problem } from './problem';

/** What body-parser and Nest's own exceptions mean, in our codes. */
function fromHttpException(error: HttpException): Problem {
  const status = error.getStatus();
  const cause = error.cause as { type?: string } | undefined;
  const response = error.getResponse();
  const message =
    typeof response === 'object' && response && 'message' in response
      ? String((response as { message: unknown }).message)
      : error.message;
  if (status === 404) return problem(404, 'route.not_found', 'No such route');
  if (status === 413)
    return problem(413, 'request.too_large', 'The request body is larger than the limit (60 MB)');
  if (cause?.type === 'entity.parse.failed' || /JSON/.test(message)) {
    return problem(400, 'request.malformed_json', 'The request body is not valid JSON');
  }
  return problem(status, `http.${status}`, message);
}

/**
 * The one place errors become HTTP answers: domain errors keep their code and status, outages
 * become 503 with Retry-After, and anything unexpected is a bare 500 with the request id,
 * logged in full on our side and never shown to the caller.
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemFilter');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const response = http.getResponse<Response>();
    const request = http.getRequest<Request & { id?: string }>();
    let body: Problem;
    if (error instanceof DomainError) {
      if (error instanceof RateLimitedError || error instanceof BusyError)
        response.setHeader('Retry-After', String(error.retryAfterSeconds));
      body = problem(error.status, error.code, error.detail, error.extra);
    } else if (error instanceof HttpException) {
      body = fromHttpException(error);
    } else if (
      error instanceof UnavailableError ||
      isConnectionError(error) ||
      isReleasedQueryRunner(error)
    ) {
      response.setHeader(
        'Retry-After',
        String(error instanceof UnavailableError ? error.retryAfterSeconds : 5),
      );
      body = problem(
        503,
        'service.unavailable',
        'A service Postkasse depends on is unavailable; retry later',
      );
      this.logger.warn({ err: error, requestId: request.id }, 'dependency unavailable');
    } else if (isBodyParserError(error)) {
      body = bodyProblem(error);
    } else {
      this.logger.error({ err: error, requestId: request.id }, 'unhandled error');
      body = problem(500, 'internal', 'Something went wrong on our side', {
        requestId: String(request.id ?? ''),
      });
    }
    if (response.headersSent) return;
    response.status(body.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(body));
  }
}

/**
 * When PostgreSQL drops a connection mid-transaction, TypeORM releases the query runner and the
 * transaction's next statement fails with one of these instead of the driver's error. The
 * transaction did not commit, so the caller may retry (found by test/faults/postgres-kill).
 */
function isReleasedQueryRunner(error: unknown): boolean {
  const name = (error as { name?: unknown })?.name;
  return (
    name === 'QueryRunnerAlreadyReleasedError' || name === 'QueryRunnerProviderAlreadyReleasedError'
  );
}

/** What the body reader found wrong, in words a client can act on; the body is not echoed. */
const BODY_PROBLEMS: Record<string, { status: number; code: string; detail: string }> = {
  'entity.too.large': {
    status: 413,
    code: 'request.too_large',
    detail: 'The request body is larger than the limit (60 MB)',
  },
  'entity.parse.failed': {
    status: 400,
    code: 'request.malformed_json',
    detail: 'The request body is not a JSON object or array',
  },
  'request.size.invalid': {
    status: 400,
    code: 'request.malformed_json',
    detail: 'The request body is shorter or longer than its Content-Length',
  },
  'request.aborted': {
    status: 400,
    code: 'request.malformed_json',
    detail: 'The request body ended before it was complete',
  },
  'charset.unsupported': {
    status: 415,
    code: 'request.unsupported_charset',
    detail: 'The request body must be UTF-8',
  },
  'encoding.unsupported': {
    status: 415,
    code: 'request.unsupported_encoding',
    detail: 'The request body may be sent as is, or with gzip, deflate or br content encoding',
  },
};

function bodyProblem(error: { type: string; message?: string }) {
  // The limit is the route's: 60 MB where letters are taken, far less elsewhere.
  if (error.type === 'entity.too.large' && error instanceof BodyReadError)
    return problem(413, 'request.too_large', `The ${error.message}`);
  // Its message names the Content-Type that was sent (cut short) and the one to send.
  if (error.type === 'media.unsupported' && error instanceof BodyReadError)
    return problem(415, 'request.unsupported_media_type', error.message);
  const known = BODY_PROBLEMS[error.type];
  return known
    ? problem(known.status, known.code, known.detail)
    : problem(400, 'request.malformed_json', `The request body could not be read (${error.type})`);
}

function isBodyParserError(error: unknown): error is { type: string; status: number } {
  const e = error as { type?: unknown; status?: unknown };
  return (
    typeof e?.type === 'string' && typeof e.status === 'number' && e.status >= 400 && e.status < 500
  );
}
