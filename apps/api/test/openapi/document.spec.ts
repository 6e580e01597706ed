import 'reflect-metadata';
import { RequestMethod, type Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { ZodPipe } from '#http';
import { API_CONTROLLERS } from '../../src/app.module';
import { buildOpenApiDocument } from '../../src/openapi/document';
import { declaredRoutes } from '../../src/openapi/route';

interface Operation {
  security: Record<string, string[]>[];
  requestBody?: { content: Record<string, { schema: Record<string, unknown> }> };
  responses: Record<string, { content?: Record<string, { schema: Record<string, unknown> }> }>;
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Record<string, unknown>> };
}

const doc = buildOpenApiDocument(API_CONTROLLERS, '/') as unknown as Document;
const UNDOCUMENTED = [/^\/docs/, /^\/openapi\.json$/];
/** Load balancers read the readiness answer's own body on 503, not a problem document. */
const NOT_PROBLEMS = ['get /health 503', 'get /health/ready 503'];

/** The routes Nest registers, read from its own metadata independently of `declaredRoutes`. */
function servedRoutes(): string[] {
  const found: string[] = [];
  for (const controller of API_CONTROLLERS as Type[]) {
    // A controller may serve several bases (a mailbox's routes and their /v1/mailboxes twins).
    const bases = [(Reflect.getMetadata(PATH_METADATA, controller) ?? '') as string | string[]];
    for (const name of Object.getOwnPropertyNames(controller.prototype)) {
      const handler = (controller.prototype as Record<string, unknown>)[name];
      if (typeof handler !== 'function' || name === 'constructor') continue;
      const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      if (method === undefined) continue;
      const subs = [Reflect.getMetadata(PATH_METADATA, handler) as string | string[]].flat();
      for (const base of bases.flat())
        for (const sub of subs) {
          const path = `/${[base, sub].filter((p) => p && p !== '/').join('/')}`
            .replace(/\/+/g, '/')
            .replace(/\/$/, '')
            .replace(/:(\w+)/g, '{$1}');
          found.push(`${RequestMethod[method].toLowerCase()} ${path || '/'}`);
        }
    }
  }
  return found.filter((r) => !UNDOCUMENTED.some((u) => u.test(r.split(' ')[1])));
}

/** The ZodPipes a handler's @Body and @Query parameters validate with. */
function pipeSchemas(controller: Type, handler: string) {
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, handler) ?? {}) as Record<
    string,
    { pipes: unknown[] }
  >;
  const of = (type: RouteParamtypes) =>
    Object.entries(args)
      .filter(([key]) => key.split(':')[0] === String(type))
      .flatMap(([, arg]) => arg.pipes.filter((p): p is ZodPipe<never> => p instanceof ZodPipe))
      .map((p) => p.schema);
  return { body: of(RouteParamtypes.BODY), query: of(RouteParamtypes.QUERY) };
}

function refsIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(refsIn);
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, v]) =>
      key === '$ref' && typeof v === 'string' ? [v] : refsIn(v),
    );
  }
  return [];
}

describe('the OpenAPI document', () => {
  it('documents every route the API serves, and nothing it does not', () => {
    const documented = Object.entries(doc.paths)
      .flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m} ${path}`))
      .sort();
    const served = [...new Set(servedRoutes())].sort();
    expect(served.length).toBeGreaterThan(30);
    expect(documented).toEqual(served);
  });

  it('refuses a route whose handler declares nothing', () => {
    class Bare {
      get() {}
    }
    Reflect.defineMetadata(PATH_METADATA, 'v1/bare', Bare);
    Reflect.defineMetadata(METHOD_METADATA, RequestMethod.GET, Bare.prototype.get);
    Reflect.defineMetadata(PATH_METADATA, '/', Bare.prototype.get);
    expect(() => buildOpenApiDocument([Bare], '/')).toThrow('Bare.get has no @Route declaration');
  });

  it('declares the very schemas the handlers validate their body and query with', () => {
    const routes = declaredRoutes(API_CONTROLLERS);
    const mismatches = routes.flatMap((route) => {
      const [className, handler] = route.handler.split('.');
      const controller = API_CONTROLLERS.find((c) => c.name === className)!;
      const pipes = pipeSchemas(controller, handler);
      const declared = route.declaration!;
      return [
        ...(pipes.body.length > 1 || pipes.body[0] !== declared.body
          ? [`${route.handler} body`]
          : []),
        ...(pipes.query.length > 1 || pipes.query[0] !== declared.query
          ? [`${route.handler} query`]
          : []),
      ];
    });
    expect(mismatches).toEqual([]);
    expect(routes.filter((r) => r.declaration?.body).length).toBeGreaterThan(5);
  });

  it('builds request schemas from the zod schemas, refusing unknown fields', () => {
    const schema = doc.paths['/v1/letters'].post.requestBody!.content['application/json'].schema;
    expect(Object.keys(schema.properties as object)).toEqual(
      expect.arrayContaining(['recipient', 'title', 'documents']),
    );
    expect(schema.additionalProperties).toBe(false);
  });

  it('describes every JSON answer with a schema, and every error as problem+json', () => {
    const missing: string[] = [];
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        for (const [status, response] of Object.entries(op.responses)) {
          const where = `${method} ${path} ${status}`;
          const types = Object.keys(response.content ?? {});
          if (NOT_PROBLEMS.includes(where)) {
            if (!response.content?.['application/json']) missing.push(where);
          } else if (Number(status) >= 400) {
            if (
              response.content?.['application/problem+json']?.schema.$ref !==
              '#/components/schemas/Problem'
            )
              missing.push(where);
          } else if (status !== '204' && types.length === 0) {
            missing.push(where);
          }
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('names shared answers once, under components, and every reference resolves', () => {
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(['MailboxLetter', 'Receipt', 'SignedTreeHead', 'Problem', 'Settings']),
    );
    const letter = doc.paths['/v1/mailbox/letters/{id}'].get.responses['200'].content!;
    expect(letter['application/json'].schema).toEqual({
      $ref: '#/components/schemas/MailboxLetter',
    });
    const refs = refsIn(doc);
    expect(refs.length).toBeGreaterThan(20);
    for (const ref of refs) {
      expect(ref).toMatch(/^#\/components\/schemas\//);
      expect(doc.components.schemas[ref.split('/').pop()!]).toBeDefined();
    }
    expect(JSON.stringify(doc)).not.toContain('$defs');
  });

  it('states who may call each route as the auth guard enforces it, with 401 and 403 answers', () => {
    const submit = doc.paths['/v1/letters'].post;
    expect(submit.security).toEqual([{ agency: ['letters:send'] }]);
    expect(Object.keys(submit.responses)).toEqual(expect.arrayContaining(['401', '403', '400']));
    expect(doc.paths['/v1/mailbox/summary'].get.security).toEqual([{ citizen: [] }]);
    expect(doc.paths['/v1/audit/tree-head'].get.security).toEqual([{ auditor: [] }]);
    const keys = doc.paths['/v1/platform/keys'].get;
    expect(keys.security).toEqual([]);
    expect(Object.keys(keys.responses)).not.toContain('401');
  });
});
