import { z } from 'zod';
import { letterSubmissionSchema } from '#letters';
import {
  listQuerySchema,
  moveSchema,
  pageQuerySchema,
  settingsUpdateSchema,
} from '../mailbox/mailbox.schemas';
import {
  confirmationBodySchema,
  confirmationQuerySchema,
} from '../mailbox/email-confirmation.schemas';
import { mailboxKeySchema } from '../mailbox/mailbox-key.controller';
import { eventsQuerySchema, lookupSchema } from '../sender/sender.schemas';
import { deliveriesQuerySchema, webhookCreateSchema } from '../sender/webhooks.controller';
import {
  consistencyQuerySchema,
  evidenceQuerySchema,
  logQuerySchema,
  treeHeadsQuerySchema,
} from '../audit/audit.schemas';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type Security = 'agency' | 'citizen' | 'auditor' | 'none';

export interface Operation {
  method: Method;
  path: string;
  summary: string;
  tag: string;
  security: Security;
  body?: z.ZodType;
  query?: z.ZodObject;
  headers?: { name: string; required: boolean; description: string }[];
  responses: Record<number, string>;
}

const idempotencyKey = {
  name: 'Idempotency-Key',
  required: true,
  description:
    'Unique per agency; the same key and body replays the first answer for at least 24 hours',
};

/** Every route the API serves; a test checks this list against the routes Nest registers. */
export const OPERATIONS: Operation[] = [
  {
    method: 'get',
    path: '/v1/platform/keys',
    summary: "The platform's OpenPGP key and receipt keys (JWKS)",
    tag: 'platform',
    security: 'none',
    responses: { 200: 'Keys' },
  },
  {
    method: 'post',
    path: '/v1/letters',
    summary: 'Submit a letter',
    tag: 'sender',
    security: 'agency',
    body: letterSubmissionSchema,
    headers: [idempotencyKey],
    responses: {
      202: 'Accepted, with the staged accepted receipt',
      400: 'Invalid request',
      409: 'Same key still in flight; or an end-to-end letter to a recipient who reserved against digital post (code recipient.reserved_end_to_end: print it yourself)',
      413: 'Too large',
      422: 'Key reused with another body',
    },
  },
  {
    method: 'get',
    path: '/v1/letters/{id}',
    summary: 'A letter and its timeline',
    tag: 'sender',
    security: 'agency',
    responses: { 200: 'Letter', 404: 'Not found' },
  },
  {
    method: 'get',
    path: '/v1/letters/{id}/receipts',
    summary: "A letter's receipts (signed once sequenced)",
    tag: 'sender',
    security: 'agency',
    responses: { 200: 'Receipts', 404: 'Not found' },
  },
  {
    method: 'delete',
    path: '/v1/letters/{id}',
    summary: 'Withdraw a letter before delivery',
    tag: 'sender',
    security: 'agency',
    responses: { 200: 'Withdrawn letter', 404: 'Not found', 409: 'Already delivered' },
  },
  {
    method: 'get',
    path: '/v1/events',
    summary: "The agency's receipts in log order",
    tag: 'sender',
    security: 'agency',
    query: eventsQuerySchema,
    responses: { 200: 'Events; nextCursor is where to resume' },
  },
  {
    method: 'post',
    path: '/v1/recipients/lookup',
    summary: 'Can these citizens receive digital post?',
    tag: 'sender',
    security: 'agency',
    body: lookupSchema,
    responses: {
      200: 'Per number {"nationalId", "status": "active" | "reserved", "publicKey", "endToEnd"}; endToEnd is true only when an end-to-end letter is accepted (a registered key, no reservation)',
      400: 'A malformed number',
    },
  },
  {
    method: 'get',
    path: '/v1/mailbox/letters',
    summary: 'List letters in a folder, newest first',
    tag: 'mailbox',
    security: 'citizen',
    query: listQuerySchema,
    responses: { 200: 'A page of letters' },
  },
  {
    method: 'get',
    path: '/v1/mailbox/summary',
    summary: 'Unread and needs-action counts',
    tag: 'mailbox',
    security: 'citizen',
    responses: { 200: 'Counts' },
  },
  {
    method: 'get',
    path: '/v1/mailbox/letters/{id}',
    summary: 'One letter',
    tag: 'mailbox',
    security: 'citizen',
    responses: { 200: 'Letter', 404: 'Not found' },
  },
  {
    method: 'get',
    path: '/v1/mailbox/letters/{id}/documents/{documentId}',
    summary: 'A document, decrypted (the first fetch issues read)',
    tag: 'mailbox',
    security: 'citizen',
    responses: { 200: 'The bytes', 404: 'Not found' },
  },
  {
    method: 'post',
    path: '/v1/mailbox/letters/{id}/acknowledge',
    summary: 'Acknowledge a read letter',
    tag: 'mailbox',
    security: 'citizen',
    responses: { 200: 'The acknowledged receipt', 409: 'Not read, or not requested' },
  },
  {
    method: 'patch',
    path: '/v1/mailbox/letters/{id}',
    summary: 'Move to a folder (out of trash restores)',
    tag: 'mailbox',
    security: 'citizen',
    body: moveSchema,
    responses: { 200: 'Letter' },
  },
  {
    method: 'delete',
    path: '/v1/mailbox/letters/{id}',
    summary: 'Move to trash',
    tag: 'mailbox',
    security: 'citizen',
    responses: { 200: 'Letter' },
  },
  {
    method: 'get',
    path: '/v1/mailbox/access-log',
    summary: 'Who has looked up my data',
    tag: 'mailbox',
    security: 'citizen',
    query: pageQuerySchema,
    responses: { 200: 'Entries, newest first' },
  },
  {
    method: 'get',
    path: '/v1/mailbox/settings',
    summary: 'Mailbox settings',
    tag: 'mailbox',
    security: 'citizen',
    responses: { 200: 'Settings' },
  },
  {
    method: 'put',
    path: '/v1/mailbox/settings',
    summary: 'Update the writable settings named',
    tag: 'mailbox',
    security: 'citizen',
    body: settingsUpdateSchema,
    responses: { 200: 'Settings', 400: 'Unknown or read-only field' },
  },
  {
    method: 'get',
    path: '/v1/mailbox/key',
    summary: "The citizen's OpenPGP key for end-to-end letters (nulls when none)",
    tag: 'mailbox',
    security: 'citizen',
    responses: { 200: 'publicKey, encryptedPrivateKey, fingerprint, updatedAt' },
  },
  {
    method: 'put',
    path: '/v1/mailbox/key',
    summary: 'Register a public key (and the passphrase-encrypted private key, for other devices)',
    tag: 'mailbox',
    security: 'citizen',
    body: mailboxKeySchema,
    responses: { 200: 'The key', 400: 'Not a usable public key, or an unprotected private key' },
  },
  {
    method: 'delete',
    path: '/v1/mailbox/key',
    summary: 'Remove the key; agencies can no longer send end-to-end letters',
    tag: 'mailbox',
    security: 'citizen',
    responses: { 204: 'Removed' },
  },
  {
    method: 'get',
    path: '/v1/mailbox/letters/{id}/sender-keys',
    summary: "The sending agency's signing keys valid at sending, to verify end-to-end documents",
    tag: 'mailbox',
    security: 'citizen',
    responses: { 200: '{"keys": [{"fingerprint", "publicKey"}]}', 404: 'No such letter' },
  },
  {
    method: 'post',
    path: '/v1/mailbox/settings/email-confirmation',
    summary: 'Send a new confirmation link to the unconfirmed notification address',
    tag: 'mailbox',
    security: 'citizen',
    responses: { 202: 'Sent', 409: 'No unconfirmed address', 503: 'Mail server unavailable' },
  },
  {
    method: 'get',
    path: '/v1/email-confirmation',
    summary: "The confirmation link's page (HTML); it confirms nothing by itself",
    tag: 'mailbox',
    security: 'none',
    query: confirmationQuerySchema,
    responses: {
      200: 'A page with a confirm button',
      400: 'Invalid token',
      409: 'Already used',
      410: 'Expired',
    },
  },
  {
    method: 'post',
    path: '/v1/email-confirmation',
    summary: 'Confirm a notification address with the token from the email',
    tag: 'mailbox',
    security: 'none',
    body: confirmationBodySchema,
    responses: { 200: 'Confirmed', 400: 'Invalid token', 409: 'Already used', 410: 'Expired' },
  },
  {
    method: 'post',
    path: '/v1/webhooks',
    summary: 'Register a webhook (the secret is shown once)',
    tag: 'sender',
    security: 'agency',
    body: webhookCreateSchema,
    responses: { 201: 'The webhook with its signing secret', 400: 'Invalid URL or event type' },
  },
  {
    method: 'get',
    path: '/v1/webhooks',
    summary: "The agency's webhooks",
    tag: 'sender',
    security: 'agency',
    responses: { 200: 'Webhooks' },
  },
  {
    method: 'delete',
    path: '/v1/webhooks/{id}',
    summary: 'Delete a webhook',
    tag: 'sender',
    security: 'agency',
    responses: { 204: 'Deleted', 404: 'Not found' },
  },
  {
    method: 'get',
    path: '/v1/webhooks/{id}/deliveries',
    summary: "A webhook's deliveries (e.g. status=failed)",
    tag: 'sender',
    security: 'agency',
    query: deliveriesQuerySchema,
    responses: { 200: 'Deliveries, newest first', 404: 'Not found' },
  },
  {
    method: 'get',
    path: '/v1/audit/tree-head',
    summary: 'The latest signed tree head',
    tag: 'audit',
    security: 'auditor',
    responses: { 200: 'Tree head with its JWS' },
  },
  {
    method: 'get',
    path: '/v1/audit/tree-heads',
    summary: 'Earlier signed tree heads',
    tag: 'audit',
    security: 'auditor',
    query: treeHeadsQuerySchema,
    responses: { 200: 'Tree heads in size order' },
  },
  {
    method: 'get',
    path: '/v1/audit/letters/{id}/evidence',
    summary: "A letter's receipts with inclusion proofs (written to the citizen's access log)",
    tag: 'audit',
    security: 'auditor',
    query: evidenceQuerySchema,
    responses: { 200: 'Evidence', 404: 'Not found' },
  },
  {
    method: 'get',
    path: '/v1/audit/consistency',
    summary: 'Consistency proof between two tree sizes',
    tag: 'audit',
    security: 'auditor',
    query: consistencyQuerySchema,
    responses: { 200: 'Proof', 400: 'Sizes out of range' },
  },
  {
    method: 'get',
    path: '/v1/audit/log',
    summary: 'NDJSON export of log entries [from, to) and a signed head of size to',
    tag: 'audit',
    security: 'auditor',
    query: logQuerySchema,
    responses: { 200: 'application/x-ndjson', 400: 'Range out of bounds' },
  },
  {
    method: 'get',
    path: '/health/live',
    summary: 'Liveness',
    tag: 'health',
    security: 'none',
    responses: { 200: 'Up' },
  },
  {
    method: 'get',
    path: '/health/ready',
    summary: 'Readiness: PostgreSQL and Redis',
    tag: 'health',
    security: 'none',
    responses: { 200: 'Up', 503: 'Down' },
  },
  {
    method: 'get',
    path: '/health',
    summary: 'Same as /health/ready',
    tag: 'health',
    security: 'none',
    responses: { 200: 'Up', 503: 'Down' },
  },
];

const problemSchema = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail', 'code'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    code: { type: 'string' },
  },
};

function parameters(op: Operation) {
  const path = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
    name: m[1],
    in: 'path',
    required: true,
    schema: { type: 'string', format: 'uuid' },
  }));
  const query = op.query
    ? Object.entries(z.toJSONSchema(op.query, { io: 'input' }).properties ?? {}).map(
        ([name, schema]) => ({
          name,
          in: 'query',
          required: false,
          schema,
        }),
      )
    : [];
  const headers = (op.headers ?? []).map((h) => ({
    name: h.name,
    in: 'header',
    required: h.required,
    description: h.description,
    schema: { type: 'string' },
  }));
  return [...path, ...query, ...headers];
}

/** The OpenAPI 3.1 document, generated from the same zod schemas that validate requests. */
export function buildOpenApiDocument(serverUrl: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of OPERATIONS) {
    paths[op.path] ??= {};
    paths[op.path][op.method] = {
      summary: op.summary,
      tags: [op.tag],
      ...(op.security === 'none' ? { security: [] } : { security: [{ [op.security]: [] }] }),
      parameters: parameters(op),
      ...(op.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: z.toJSONSchema(op.body, { io: 'input' }) } },
            },
          }
        : {}),
      responses: Object.fromEntries(
        Object.entries(op.responses).map(([status, description]) => [
          status,
          Number(status) >= 400
            ? {
                description,
                content: {
                  'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } },
                },
              }
            : { description },
        ]),
      ),
    };
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
      schemas: { Problem: problemSchema },
      securitySchemes: {
        agency: { type: 'http', scheme: 'bearer', description: 'Agency API key (pk_…)' },
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
