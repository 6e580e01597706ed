import type { CitizenPrincipal } from '#auth';
import { RateLimitedError } from '#errors';
import type { RequestRateLimiter } from '#http';
import { callerOf } from './callers';

/**
 * How many replies and messages one person may send agencies in a window (issue 18: "a
 * per-citizen rate limit"), counted on the writer, whoever they act for, so acting for several
 * mailboxes buys no more. Counted in Redis as the request budgets are, and failing open too.
 */
export class ReplyBudget {
  constructor(
    private readonly limiter: RequestRateLimiter<'reply'>,
    private readonly pseudonymKey: Buffer,
  ) {}

  async charge(writer: CitizenPrincipal): Promise<void> {
    const caller = callerOf(writer, '', this.pseudonymKey);
    const decision = await this.limiter.check('reply', caller.id);
    if (decision.allowed) return;
    throw new RateLimitedError(
      'reply.rate_limited',
      `You have sent as many replies and messages as one person may (${this.limiter.describe('reply')}); retry after ${decision.retryAfterSeconds} s`,
      decision.retryAfterSeconds,
    );
  }
}
