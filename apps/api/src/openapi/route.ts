import { RequestMethod, SetMetadata, type Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import type { z } from 'zod';
import { requirementOf, type Requirement } from '#auth';
import { PROBLEM_CONTENT_TYPE, problemSchema } from '#http';

/** One possible answer of a route: a JSON body by default, or another media type. */
export interface ResponseDeclaration {
  description: string;
  /** The body's schema (JSON unless `mediaType` says otherwise); none for an empty body. */
  schema?: z.ZodType;
  mediaType?: string;
}

export interface HeaderDeclaration {
  name: string;
  required: boolean;
  description: string;
}

/** What a handler accepts and answers, declared beside it; the OpenAPI document is made of these. */
export interface RouteDeclaration {
  summary: string;
  tag: 'sender' | 'mailbox' | 'audit' | 'platform' | 'health';
  body?: z.ZodType;
  query?: z.ZodObject;
  headers?: HeaderDeclaration[];
  responses: Record<number, ResponseDeclaration>;
}

const ROUTE = 'postkasse:route';
const UNDOCUMENTED = 'postkasse:undocumented';

/**
 * Declares a handler's request and response schemas. The request schemas are the ones its
 * ZodPipes validate with; who may call it comes from its auth decorator.
 */
export const Route = (declaration: RouteDeclaration) => SetMetadata(ROUTE, declaration);

/** For routes that are not part of the API (the documentation pages themselves). */
export const Undocumented = () => SetMetadata(UNDOCUMENTED, true);

/** An error answer: problem+json. */
export const problemResponse = (description: string): ResponseDeclaration => ({
  description,
  schema: problemSchema,
  mediaType: PROBLEM_CONTENT_TYPE,
});

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface DeclaredRoute {
  method: HttpMethod;
  /** OpenAPI form: `/v1/letters/{id}`. */
  path: string;
  /** Undefined when the handler has no declaration (a test refuses that). */
  declaration: RouteDeclaration | undefined;
  requirement: Requirement | undefined;
  handler: string;
}

function joinPath(base: string, sub: string): string {
  const path = `/${[base, sub].filter((p) => p && p !== '/').join('/')}`
    .replace(/\/+/g, '/')
    .replace(/\/$/, '')
    .replace(/:(\w+)/g, '{$1}');
  return path || '/';
}

/** Every route the given controllers serve, read from the metadata Nest routes by. */
export function declaredRoutes(controllers: readonly Type[]): DeclaredRoute[] {
  const found: DeclaredRoute[] = [];
  for (const controller of controllers) {
    if (Reflect.getMetadata(UNDOCUMENTED, controller)) continue;
    const bases = [Reflect.getMetadata(PATH_METADATA, controller) as string | string[]].flat();
    const prototype = controller.prototype as Record<string, unknown>;
    for (const name of Object.getOwnPropertyNames(prototype)) {
      const handler = prototype[name];
      if (typeof handler !== 'function' || name === 'constructor') continue;
      const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      if (method === undefined || Reflect.getMetadata(UNDOCUMENTED, handler)) continue;
      const subs = [Reflect.getMetadata(PATH_METADATA, handler) as string | string[]].flat();
      for (const base of bases) {
        for (const sub of subs) {
          found.push({
            method: RequestMethod[method].toLowerCase() as HttpMethod,
            path: joinPath(String(base ?? ''), String(sub ?? '')),
            declaration: Reflect.getMetadata(ROUTE, handler) as RouteDeclaration | undefined,
            requirement: requirementOf(handler, controller),
            handler: `${controller.name}.${name}`,
          });
        }
      }
    }
  }
  return found;
}

/**
 * The answers a route can give: its declared ones, plus those every route of its kind gives
 * (400 for a request that fails its schemas, 401/403 for missing or insufficient credentials),
 * unless it declares them itself.
 */
export function responsesOf(route: DeclaredRoute): Record<number, ResponseDeclaration> {
  const declaration = route.declaration;
  if (!declaration) return {};
  const implied: Record<number, ResponseDeclaration> = {};
  if (declaration.body || declaration.query || declaration.headers?.some((h) => h.required))
    implied[400] = problemResponse('The request does not match its schema');
  if (route.requirement && route.requirement.audience !== 'public') {
    implied[401] = problemResponse('Missing, invalid or wrong kind of credentials');
    implied[403] = problemResponse('The credentials lack the role or scope this route needs');
  }
  // A mailbox named by id answers 404 to a caller who may not act for it, as a missing one.
  if (route.path.includes('{mailboxId}'))
    implied[404] = problemResponse('No such mailbox, or not one the caller may act for');
  // Every route but the health probes counts against its caller's request budget.
  if (declaration.tag !== 'health')
    implied[429] = problemResponse('Too many requests from this caller; see Retry-After');
  return { ...implied, ...declaration.responses };
}
