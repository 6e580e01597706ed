import {
  Injectable,
  UseGuards,
  applyDecorators,
  createParamDecorator,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import type { Request } from 'express';
import type { MailboxScope } from '#access';
import { ForCitizen, type CitizenPrincipal, type Principal } from '#auth';
import { CitizenMailbox, type Caller } from '#letters';
import { IdPipe } from '../ids';

/**
 * Where every mailbox route is served: the caller's own mailbox, and any mailbox they may act
 * for (DESIGN "Second round": every `/v1/mailbox/…` route has a `/v1/mailboxes/{mailboxId}/…`
 * twin). One controller serves both, so the twins cannot drift apart.
 */
export const MAILBOX_PATHS = ['v1/mailbox', 'v1/mailboxes/:mailboxId'];

interface ScopedRequest extends Request {
  principal?: Principal;
  mailboxScope?: MailboxScope;
}

const mailboxIds = new IdPipe('mailbox');

export function callerOf(citizen: CitizenPrincipal): Caller {
  return {
    nationalId: citizen.nationalId,
    name: citizen.name,
    administratorOf: citizen.administratorOf,
  };
}

/**
 * The access check as a guard: after the global guard named the citizen, it decides the scope
 * the handler acts in, before any pipe reads the body, so a mailbox the caller may not act for
 * answers 404 whatever was sent.
 */
@Injectable()
export class MailboxScopeGuard implements CanActivate {
  constructor(private readonly mailbox: CitizenMailbox) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const request = ctx.switchToHttp().getRequest<ScopedRequest>();
    const principal = request.principal;
    // The global guard lets only citizens through to routes declared ForCitizen.
    if (principal?.kind !== 'citizen') throw new Error('mailbox route without a citizen');
    const given = request.params.mailboxId;
    const mailboxId = typeof given === 'string' ? mailboxIds.transform(given) : undefined;
    request.mailboxScope = await this.mailbox.open(callerOf(principal), mailboxId);
    return true;
  }
}

/** For citizens, in the scope the access check decided (see `MailboxScopeGuard`). */
export const ForMailbox = () => applyDecorators(ForCitizen(), UseGuards(MailboxScopeGuard));

/** The scope `MailboxScopeGuard` decided for this request. */
export const ActingScope = createParamDecorator((_: unknown, ctx: ExecutionContext) => {
  const scope = ctx.switchToHttp().getRequest<ScopedRequest>().mailboxScope;
  if (!scope) throw new Error('ActingScope without ForMailbox');
  return scope;
});
