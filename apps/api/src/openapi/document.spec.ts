import 'reflect-metadata';
import { RequestMethod } from '@nestjs/common';
import type { AppConfig } from '#config';
import { ApiModule } from '../app.module';
import { OPERATIONS, buildOpenApiDocument } from './document';

const UNDOCUMENTED = [/^\/dev-oidc/, /^\/docs/, /^\/openapi\.json$/];

function routes(): string[] {
  const config = {
    logLevel: 'silent',
    databaseUrl: 'postgres://x/y',
    databasePoolSize: 1,
    oidc: { devIssuer: null },
  };
  const module = ApiModule.register(config as unknown as AppConfig);
  const found: string[] = [];
  for (const controller of module.controllers ?? []) {
    const base = String(Reflect.getMetadata('path', controller) ?? '');
    for (const name of Object.getOwnPropertyNames(controller.prototype)) {
      const handler = (controller.prototype as Record<string, unknown>)[name];
      if (typeof handler !== 'function' || name === 'constructor') continue;
      const method = Reflect.getMetadata('method', handler) as RequestMethod | undefined;
      if (method === undefined) continue;
      const paths = [Reflect.getMetadata('path', handler) as string | string[]].flat();
      for (const sub of paths) {
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

describe('the OpenAPI document', () => {
  it('documents every route the API serves, and nothing it does not', () => {
    const documented = OPERATIONS.map((o) => `${o.method} ${o.path}`).sort();
    const served = [...new Set(routes())].sort();
    expect(served.length).toBeGreaterThan(25);
    expect(documented).toEqual(served);
  });

  it('builds request schemas from the same zod schemas that validate requests', () => {
    const doc = buildOpenApiDocument('/') as {
      paths: Record<
        string,
        Record<
          string,
          {
            requestBody?: {
              content: Record<
                string,
                { schema: { properties: Record<string, unknown>; additionalProperties: unknown } }
              >;
            };
          }
        >
      >;
    };
    const schema = doc.paths['/v1/letters'].post.requestBody!.content['application/json'].schema;
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(['recipient', 'title', 'documents']),
    );
    expect(schema.additionalProperties).toBe(false);
  });
});
