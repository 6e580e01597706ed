import { SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { AuthGuard, type Principal } from '#auth';
import { DomainError, RateLimitedError } from '#errors';
import type { RequestRateLimiter } from '#http';
import { callerOf, type Caller, type CallerKind } from './callers';

const UNLIMITED = 'postkasse:unlimited';

/** For probes a load balancer sends every few seconds from one address (health). */
export const NoRateLimit = () => SetMetadata(UNLIMITED, true);

const WHO: Record<CallerKind, string> = {
  agency: 'this agency',
  citizen: 'this person',
  auditor: 'this auditor',
  anonymous: 'this client address',
};

/**
 * Authentication, then the caller's request budget (issue: "limits that are off by default").
 * It wraps the auth guard rather than following it so that requests whose credentials fail count
 * against the client address too: they cost a key lookup or a token check each.
 */
export class RateLimitedAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthGuard,
    private readonly limiter: RequestRateLimiter<CallerKind>,
    private readonly pseudonymKey: Buffer,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const unlimited = this.reflector.getAllAndOverride<boolean | undefined>(UNLIMITED, [
      ctx.getHandler(),
      ctx.getClass(),
    ]);
    const request = ctx.switchToHttp().getRequest<Request & { principal?: Principal }>();
    let allowed: boolean;
    try {
      allowed = await this.auth.canActivate(ctx);
    } catch (error) {
      if (error instanceof DomainError && error.status === 401)
        await this.charge(callerOf(undefined, request.ip ?? '', this.pseudonymKey));
      throw error;
    }
    if (!unlimited)
      await this.charge(callerOf(request.principal, request.ip ?? '', this.pseudonymKey));
    return allowed;
  }

  private async charge(caller: Caller): Promise<void> {
    const decision = await this.limiter.check(caller.kind, caller.id);
    if (decision.allowed) return;
    throw new RateLimitedError(
      'rate_limit.exceeded',
      `Too many requests from ${WHO[caller.kind]} (${this.limiter.describe(caller.kind)}); retry after ${decision.retryAfterSeconds} s`,
      decision.retryAfterSeconds,
    );
  }
}
