import { createHmac } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { JWK } from 'jose';
import type Provider from 'oidc-provider';
import { administratorClaim } from '#auth';
import { localApiUrl, type AppConfig } from '#config';
import { DEMO_ACCOUNTS, citizenAccount, type DemoAccount } from './demo-accounts';
import { interactionPage, logoutPage, errorPage } from './interaction-page';

/** The web client's OAuth client id at the development issuer. */
export const WEB_CLIENT_ID = 'postkasse-web';
/** The resource indicator for this API; access tokens for it carry `aud` = OIDC_AUDIENCE. */
export const API_RESOURCE = 'urn:postkasse:api';
export const API_SCOPE = 'mailbox';
export const MOUNT_PATH = '/dev-oidc';

/** Where the web client may be served in development: the API itself and the Vite dev server. */
function webOrigins(config: AppConfig, issuer: string): string[] {
  const origins = new Set([
    new URL(issuer).origin,
    new URL(config.mail.publicWebUrl).origin,
    'http://127.0.0.1:5173',
    'http://localhost:5173',
  ]);
  return [...origins];
}

/** The issuer this process serves: OIDC_ISSUER when it points here, else this API's address. */
export function devIssuerUrl(config: AppConfig): string {
  if (config.oidc.issuer.endsWith(MOUNT_PATH)) return config.oidc.issuer;
  return `${localApiUrl(config.http)}${MOUNT_PATH}`;
}

function tokenClaims(account: DemoAccount, config: AppConfig): Record<string, unknown> {
  return account.roles
    ? { name: account.name, [config.oidc.rolesClaim]: account.roles }
    : {
        name: account.name,
        [config.oidc.nationalIdClaim]: account.nationalId,
        // As ID-porten/Altinn-like tokens carry it (see OIDC_ORGANISATION_ROLES_CLAIM).
        ...(account.administers
          ? { [config.oidc.organisationRolesClaim]: administratorClaim(account.administers) }
          : {}),
      };
}

/**
 * Accounts are the demo list plus any synthetic citizen typed into the picker; the picked
 * number travels in the account id, so the provider keeps no user store of its own.
 */
function findAccount(accountId: string): DemoAccount | undefined {
  const known = DEMO_ACCOUNTS.find((a) => a.accountId === accountId);
  if (known) return known;
  const typed = /^citizen-nid-(\d{11})$/.exec(accountId);
  return typed ? { ...citizenAccount(typed[1], 'Test Citizen'), accountId } : undefined;
}

/**
 * The development OpenID Connect provider (oidc-provider): authorization code flow with PKCE
 * for the web client, JWT access tokens (RFC 9068, `typ: at+jwt`) signed with the same ES256
 * key as `npm run cli -- dev token`, so both kinds of token verify against one JWKS.
 * Never registered in production (the configuration refuses DEV_OIDC_ISSUER there).
 */
export async function createDevOidcProvider(config: AppConfig): Promise<Provider> {
  const dev = config.oidc.devIssuer;
  if (!dev) throw new Error('the development issuer is off');
  // ESM-only package: a real dynamic import, kept as such by the `nodenext` CommonJS output.
  const { default: ProviderClass } = await import('oidc-provider');
  const issuer = devIssuerUrl(config);
  const origins = webOrigins(config, issuer);
  const signingKey: JWK = { ...dev.privateJwk, kid: dev.kid, alg: 'ES256', use: 'sig' };
  const cookieKey = createHmac('sha256', String(dev.privateJwk.d))
    .update('dev-oidc cookies')
    .digest('base64url');

  const provider = new ProviderClass(issuer, {
    clients: [
      {
        client_id: WEB_CLIENT_ID,
        client_name: 'Postkasse',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code'],
        response_types: ['code'],
        redirect_uris: origins.map((o) => `${o}/callback`),
        post_logout_redirect_uris: origins.map((o) => `${o}/`),
        id_token_signed_response_alg: 'ES256',
      },
    ],
    jwks: { keys: [signingKey] },
    enabledJWA: { idTokenSigningAlgValues: ['ES256'] },
    cookies: { keys: [cookieKey] },
    pkce: { required: () => true },
    scopes: ['openid', 'profile'],
    claims: { openid: ['sub'], profile: ['name'] },
    findAccount: (_ctx: unknown, id: string) => {
      const account = findAccount(id);
      if (!account) return undefined;
      return { accountId: id, claims: () => ({ sub: id, name: account.name }) };
    },
    interactions: {
      url: (_ctx: unknown, interaction: { uid: string }) =>
        `${MOUNT_PATH}/interaction/${interaction.uid}`,
    },
    clientBasedCORS: (_ctx: unknown, origin: string) => origins.includes(origin),
    features: {
      devInteractions: { enabled: false },
      revocation: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx: { body: string }, form: string) => {
          ctx.body = logoutPage(form);
        },
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => API_RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: unknown, resource: string) => {
          if (resource !== API_RESOURCE) throw new Error('unknown resource');
          return {
            scope: API_SCOPE,
            audience: config.oidc.audience,
            accessTokenTTL: 60 * 60,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'ES256' } },
          };
        },
      },
    },
    extraTokenClaims: (_ctx: unknown, token: { accountId?: string }) => {
      const account = token.accountId ? findAccount(token.accountId) : undefined;
      return account ? tokenClaims(account, config) : undefined;
    },
    renderError: (ctx: { type: string; body: string }, out: Record<string, string>) => {
      ctx.type = 'html';
      ctx.body = errorPage(out);
    },
    ttl: { Session: 8 * 60 * 60, Interaction: 60 * 60, Grant: 8 * 60 * 60 },
  });
  return provider;
}

function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
      if (body.length > 10_000) reject(new Error('form too large'));
    });
    req.on('end', () => resolve(new URLSearchParams(body)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, html: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader(
    'Content-Security-Policy',
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
  );
  res.end(html);
}

/**
 * Mounts the provider and its account picker under /dev-oidc, ahead of Nest's routes. The
 * picker accepts a demo citizen, the auditor, or any synthetic national id (for tests).
 */
export async function mountDevOidc(app: NestExpressApplication, config: AppConfig): Promise<void> {
  const provider = await createDevOidcProvider(config);
  app.use(
    `${MOUNT_PATH}/interaction/:uid`,
    (req: IncomingMessage, res: ServerResponse, next: (e?: unknown) => void) => {
      void (async () => {
        const details = await provider.interactionDetails(req, res);
        if (details.prompt.name === 'consent' && details.session?.accountId) {
          // First-party client: consent is implied, for exactly what it asked for.
          const missing = details.prompt.details ?? {};
          const grant =
            (details.grantId ? await provider.Grant.find(details.grantId) : undefined) ??
            new provider.Grant({
              clientId: String(details.params.client_id),
              accountId: details.session.accountId,
            });
          if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
          if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
          for (const [resource, scopes] of Object.entries(missing.missingResourceScopes ?? {}))
            grant.addResourceScope(resource, scopes.join(' '));
          const grantId = await grant.save();
          return provider.interactionFinished(
            req,
            res,
            { consent: { grantId } },
            { mergeWithLastSubmission: true },
          );
        }
        if (req.method === 'GET') {
          return send(res, 200, interactionPage(details.uid, DEMO_ACCOUNTS));
        }
        if (req.method !== 'POST')
          return send(res, 405, errorPage({ error: 'method_not_allowed' }));
        const form = await readForm(req);
        let accountId = form.get('account') ?? '';
        const typed = (form.get('nationalId') ?? '').trim();
        if (accountId === 'typed') {
          if (!/^\d{11}$/.test(typed))
            return send(res, 400, interactionPage(details.uid, DEMO_ACCOUNTS, 'invalid'));
          accountId = `citizen-nid-${typed}`;
        }
        if (!findAccount(accountId))
          return send(res, 400, interactionPage(details.uid, DEMO_ACCOUNTS, 'invalid'));
        await provider.interactionFinished(
          req,
          res,
          { login: { accountId } },
          { mergeWithLastSubmission: false },
        );
      })().catch(next);
    },
  );
  app.use(MOUNT_PATH, provider.callback());
}
