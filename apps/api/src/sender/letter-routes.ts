import type { Request } from 'express';
import {
  authenticateAgency,
  authenticatePerson,
  type ApiKeyAuthenticator,
  type OidcVerifier,
  type Scope,
} from '#auth';
import type { AppConfig } from '#config';
import { Base64Decoder } from '#crypto';
import type { LargeBodyRoute } from '#http';

/**
 * The routes that take letters, and so bodies up to the 60 MB request limit; every other route
 * has the small limit.
 */
const LETTER_ROUTES: readonly {
  method: string;
  path: string;
  scope: Scope;
  documents: string[];
}[] = [
  {
    method: 'POST',
    path: '/v1/letters',
    scope: 'letters:send',
    documents: ['documents', '*', 'content'],
  },
  {
    method: 'POST',
    path: '/v1/letter-batches',
    scope: 'letters:send',
    documents: ['letters', '*', 'documents', '*', 'content'],
  },
];

/** Base64 as the standard alphabet starts it; armor (and anything else) stays text. */
const BASE64_START = /[A-Za-z0-9+/]/;

/**
 * What citizens send agencies takes the letters' limits too (issue 18: "sizes and counts as for
 * letters"); its documents stay text, checked once the body is in.
 */
const REPLY_ROUTES = ['/v1/mailbox', '/v1/mailboxes/:mailboxId'].flatMap((base) => [
  `${base}/letters/:id/replies`,
  `${base}/messages`,
]);

/**
 * Each checks the API key (or a citizen's token) as the guard would, before a byte of the body
 * is read, and has a letter's documents' base64 decoded and hashed as it arrives. Access notices
 * come in thousands per request too (a thousand is more than the small limit holds), without
 * documents.
 */
export function letterRoutes(
  config: AppConfig,
  apiKeys: ApiKeyAuthenticator,
  oidc: OidcVerifier,
): LargeBodyRoute[] {
  const notices: LargeBodyRoute = {
    method: 'POST',
    path: '/v1/access-notices',
    admit: (req: Request) =>
      authenticateAgency(req.headers.authorization, apiKeys, 'access:notify'),
  };
  const replies = REPLY_ROUTES.map((path) => ({
    method: 'POST',
    path,
    admit: (req: Request) => authenticatePerson(req.headers.authorization, oidc, 'citizen'),
  }));
  return [notices, ...replies, ...lettersFrom(config, apiKeys)];
}

function lettersFrom(config: AppConfig, apiKeys: ApiKeyAuthenticator): LargeBodyRoute[] {
  return LETTER_ROUTES.map((route) => ({
    method: route.method,
    path: route.path,
    admit: (req: Request) => authenticateAgency(req.headers.authorization, apiKeys, route.scope),
    streamed: {
      path: route.documents,
      startsWith: BASE64_START,
      open: () => new Base64Decoder(config.openpgpLimits.maxDocumentBytes),
    },
  }));
}
