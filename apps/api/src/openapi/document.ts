import type { Type } from '@nestjs/common';
import { z } from 'zod';
import { declaredRoutes, responsesOf, type DeclaredRoute } from './route';

type JsonSchema = Record<string, unknown>;

const COMPONENTS = '#/components/schemas/';

/**
 * Schemas named with `.meta({ id })` become components. zod puts them under the converted
 * schema's `$defs`; they are moved to `components.schemas` and the references rewritten, so each
 * named schema appears once and the client's generated types have its name.
 */
class Components {
  readonly schemas: Record<string, JsonSchema> = {};

  convert(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
    const {
      $schema: _,
      $defs,
      ...converted
    } = z.toJSONSchema(schema, { io }) as JsonSchema & {
      $defs?: Record<string, JsonSchema>;
    };
    for (const [id, definition] of Object.entries($defs ?? {}))
      this.add(id, this.rewrite(definition));
    return this.rewrite(converted);
  }

  private add(id: string, definition: JsonSchema): void {
    const known = this.schemas[id];
    if (known && JSON.stringify(known) !== JSON.stringify(definition)) {
      // e.g. one id used for a request (input) and a response (output) that differ
      throw new Error(`schema id ${id} names two different schemas`);
    }
    this.schemas[id] = definition;
  }

  private rewrite(schema: JsonSchema): JsonSchema {
    return JSON.parse(
      JSON.stringify(schema).replaceAll('"$ref":"#/$defs/', `"$ref":"${COMPONENTS}`),
    ) as JsonSchema;
  }
}

function parameters(route: DeclaredRoute, components: Components) {
  const declaration = route.declaration!;
  const path = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
    name: m[1],
    in: 'path',
    required: true,
    // Every path parameter is an id (IdPipe); a malformed one answers 404 like a missing one.
    schema: { type: 'string', format: 'uuid' },
  }));
  const querySchema = declaration.query ? components.convert(declaration.query, 'input') : null;
  const query = Object.entries((querySchema?.properties ?? {}) as Record<string, JsonSchema>).map(
    ([name, schema]) => ({
      name,
      in: 'query',
      required:
        ((querySchema?.required ?? []) as string[]).includes(name) && !('default' in schema),
      // On the parameter, where Swagger UI and generated clients show it.
      ...(typeof schema.description === 'string' ? { description: schema.description } : {}),
      schema,
    }),
  );
  const headers = (declaration.headers ?? []).map((h) => ({
    name: h.name,
    in: 'header',
    required: h.required,
    description: h.description,
    schema: { type: 'string' },
  }));
  return [...path, ...query, ...headers];
}

function security(route: DeclaredRoute) {
  const requirement = route.requirement;
  if (!requirement || requirement.audience === 'public') return [];
  // An agency key's scopes are listed like OAuth scopes, so the document says which one is needed.
  return [{ [requirement.audience]: requirement.audience === 'agency' ? [requirement.scope] : [] }];
}

function operation(route: DeclaredRoute, components: Components, operationId: string) {
  const declaration = route.declaration!;
  const responses = Object.entries(responsesOf(route)).map(([status, response]) => {
    if (!response.schema && !response.mediaType)
      return [status, { description: response.description }];
    const schema = response.schema
      ? components.convert(response.schema, 'output')
      : { type: 'string', format: 'binary' };
    return [
      status,
      {
        description: response.description,
        content: { [response.mediaType ?? 'application/json']: { schema } },
      },
    ];
  });
  return {
    operationId,
    summary: declaration.summary,
    tags: [declaration.tag],
    security: security(route),
    parameters: parameters(route, components),
    ...(declaration.body
      ? {
          requestBody: {
            // A body schema that accepts nothing at all makes the body optional.
            required: !declaration.body.safeParse(undefined).success,
            content: {
              'application/json': { schema: components.convert(declaration.body, 'input') },
            },
          },
        }
      : {}),
    responses: Object.fromEntries(responses),
  };
}

/**
 * The OpenAPI 3.1 document, generated from the declarations beside the handlers of the given
 * controllers: the same zod schemas validate requests and describe the answers.
 */
export function buildOpenApiDocument(
  controllers: readonly Type[],
  serverUrl: string,
): Record<string, unknown> {
  const components = new Components();
  const paths: Record<string, Record<string, unknown>> = {};
  const routes = declaredRoutes(controllers).sort(
    (a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method),
  );
  const operationIds = new Set<string>();
  for (const route of routes) {
    if (!route.declaration) throw new Error(`${route.handler} has no @Route declaration`);
    // A handler served at two paths (/health and /health/ready) needs two operation ids.
    let operationId = route.handler.replace('.', '_');
    for (let n = 2; operationIds.has(operationId); n += 1)
      operationId = `${route.handler.replace('.', '_')}_${n}`;
    operationIds.add(operationId);
    paths[route.path] ??= {};
    paths[route.path][route.method] = operation(route, components, operationId);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Postkasse API',
      version: '1',
      description:
        'Digital mailbox for the public sector: agencies send, citizens read, auditors verify.',
    },
    servers: [{ url: serverUrl }],
    paths,
    components: {
      schemas: Object.fromEntries(
        Object.entries(components.schemas).sort(([a], [b]) => a.localeCompare(b)),
      ),
      securitySchemes: {
        agency: {
          type: 'http',
          scheme: 'bearer',
          description: 'Agency API key (pk_…); each route names the scope it needs',
        },
        citizen: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'OIDC access token',
        },
        auditor: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'OIDC access token with the auditor role',
        },
      },
    },
  };
}
