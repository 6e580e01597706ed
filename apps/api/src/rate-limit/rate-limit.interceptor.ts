import {
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Observable } from 'rxjs';
import type { Principal } from '#auth';
import { DomainError } from '#errors';
import { AgencyRateLimiter } from '#http';

/**
 * Per-agency request limits (issue 7): runs after the auth guard, so it counts only requests of
 * an authenticated agency, and answers 429 with Retry-After when the window's budget is spent.
 */
@Injectable()
export class RateLimitInterceptor implements NestInterceptor {
  constructor(private readonly limiter: AgencyRateLimiter) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const http = context.switchToHttp();
    const principal = http.getRequest<Request & { principal?: Principal }>().principal;
    if (principal?.kind === 'agency') {
      const decision = await this.limiter.check(principal.agencyId);
      if (!decision.allowed) {
        http.getResponse<Response>().setHeader('Retry-After', String(decision.retryAfterSeconds));
        throw new DomainError(
          429,
          'rate_limit.exceeded',
          `Too many requests from this agency; retry after ${decision.retryAfterSeconds} s`,
        );
      }
    }
    return next.handle();
  }
}
