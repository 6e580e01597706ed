import {
  SetMetadata,
  createParamDecorator,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { DomainError } from '#errors';
import { ApiKeyAuthenticator, looksLikeApiKey } from './api-keys';
import { InvalidTokenError, OidcVerifier, UnacceptableIdentityError } from './oidc-verifier';
import type { AgencyPrincipal, Principal, Scope } from './principals';

export type Requirement =
  | { audience: 'public' }
  | { audience: 'agency'; scope: Scope }
  | { audience: 'citizen' }
  | { audience: 'auditor' };

const REQUIREMENT = 'postkasse:auth';

export const Public = () => SetMetadata(REQUIREMENT, { audience: 'public' } satisfies Requirement);
export const ForAgency = (scope: Scope) =>
  SetMetadata(REQUIREMENT, { audience: 'agency', scope } satisfies Requirement);
export const ForCitizen = () =>
  SetMetadata(REQUIREMENT, { audience: 'citizen' } satisfies Requirement);
export const ForAuditor = () =>
  SetMetadata(REQUIREMENT, { audience: 'auditor' } satisfies Requirement);

/**
 * Who a handler is for, read the way the guard reads it (the handler's own declaration wins
 * over its controller's), so the OpenAPI document states the same requirement the guard enforces.
 */
export function requirementOf(handler: object, controller: object): Requirement | undefined {
  return (
    (Reflect.getMetadata(REQUIREMENT, handler) as Requirement | undefined) ??
    (Reflect.getMetadata(REQUIREMENT, controller) as Requirement | undefined)
  );
}

interface AuthenticatedRequest extends Request {
  principal?: Principal;
}

/** The principal the guard attached; typed by the route's requirement. */
export const CurrentPrincipal = createParamDecorator(
  (_: unknown, ctx: ExecutionContext) =>
    ctx.switchToHttp().getRequest<AuthenticatedRequest>().principal,
);

const unauthorized = (detail: string) => new DomainError(401, 'auth.unauthorized', detail);
const forbidden = (detail: string) => new DomainError(403, 'auth.forbidden', detail);

function bearerToken(header: string | undefined): string {
  const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(header ?? '');
  if (!match) throw unauthorized('Send credentials as "Authorization: Bearer …"');
  return match[1];
}

/**
 * The agency whose API key the Authorization header carries, if it has `scope`: 401 or 403
 * otherwise. The guard's check, also made before a letter's body is read (see the body intake).
 */
export async function authenticateAgency(
  header: string | undefined,
  apiKeys: ApiKeyAuthenticator,
  scope: Scope,
): Promise<AgencyPrincipal> {
  const token = bearerToken(header);
  if (!looksLikeApiKey(token)) throw unauthorized('This part of the API takes an agency API key');
  const agency = await apiKeys.authenticate(token);
  if (!agency) throw unauthorized('Unknown or revoked API key');
  if (!agency.scopes.includes(scope)) throw forbidden(`This API key lacks the scope ${scope}`);
  return agency;
}

/**
 * The citizen or auditor whose OIDC access token the Authorization header carries: 401 or 403
 * otherwise. The guard's check, also made before a reply's body is read (see the body intake).
 */
export async function authenticatePerson<A extends 'citizen' | 'auditor'>(
  header: string | undefined,
  oidc: OidcVerifier,
  audience: A,
): Promise<Extract<Principal, { kind: A }>> {
  const token = bearerToken(header);
  if (looksLikeApiKey(token))
    throw unauthorized('This part of the API takes an OpenID Connect access token');
  let principal;
  try {
    principal = await oidc.verify(token);
  } catch (error) {
    if (error instanceof InvalidTokenError)
      throw unauthorized(`Invalid access token: ${error.message}`);
    // The token is genuine; the person it names cannot be served: 403, not 401.
    if (error instanceof UnacceptableIdentityError) throw forbidden(error.message);
    throw error;
  }
  if (principal.kind !== audience) throw forbidden(`This part of the API is for ${audience}s`);
  return principal as Extract<Principal, { kind: A }>;
}

/**
 * One guard for every route. Every route must declare who it is for; a route without a
 * declaration is refused, so a forgotten decorator cannot open an endpoint.
 * Credentials for another part of the API are 401; a valid principal without the role is 403.
 */
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly apiKeys: ApiKeyAuthenticator,
    private readonly oidc: OidcVerifier,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const requirement = this.reflector.getAllAndOverride<Requirement | undefined>(REQUIREMENT, [
      ctx.getHandler(),
      ctx.getClass(),
    ]);
    if (!requirement) throw forbidden('This route declares no audience');
    if (requirement.audience === 'public') return true;

    const request = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
    if (requirement.audience === 'agency') {
      request.principal = await authenticateAgency(
        request.headers.authorization,
        this.apiKeys,
        requirement.scope,
      );
      return true;
    }
    const principal = await authenticatePerson(
      request.headers.authorization,
      this.oidc,
      requirement.audience,
    );
    request.principal = principal;
    return true;
  }
}
