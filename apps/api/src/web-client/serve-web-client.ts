import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join, resolve } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { AppConfig } from '#config';
import { API_RESOURCE, API_SCOPE, WEB_CLIENT_ID } from '../dev-oidc/dev-oidc-provider';

/** apps/web's build output, relative to the repository root the processes run in. */
export const WEB_DIST = resolve(__dirname, '../../../../../apps/web/dist');

/** Paths the API owns; the client's history fallback never answers them. */
const API_PREFIXES = ['/v1', '/health', '/docs', '/openapi.json', '/dev-oidc', '/metrics'];

function ownedByApi(path: string): boolean {
  return API_PREFIXES.some(
    (p) => path === p || path.startsWith(`${p}/`) || path.startsWith(`${p}?`),
  );
}

/**
 * The page's policy: scripts and styles from this origin only, documents shown from blob: URLs,
 * and network access to this API and the OpenID Connect issuer alone. The one exception is a
 * per-response style nonce: an HTML letter's frame (srcdoc) inherits this policy, so its own
 * styles, sanitised and gathered into one <style>, carry the nonce to be applied.
 */
export function contentSecurityPolicy(issuer: string, styleNonce?: string): string {
  const issuerOrigin = new URL(issuer).origin;
  return [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    styleNonce ? `style-src 'self' 'nonce-${styleNonce}'` : "style-src 'self'",
    "img-src 'self' blob: data:",
    "frame-src 'self' blob:",
    "object-src 'self' blob:",
    `connect-src 'self' ${issuerOrigin}`,
    `form-action 'self' ${issuerOrigin}`,
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * Serves the built web client at `/`: `config.json` tells it where to log in, hashed assets are
 * cached for a year, and any other GET that is not an API path gets index.html (client routes).
 */
export function serveWebClient(app: NestExpressApplication, config: AppConfig): void {
  const clientConfig = JSON.stringify({
    issuer: config.oidc.issuer,
    clientId: WEB_CLIENT_ID,
    scope: `openid profile ${API_SCOPE}`,
    resource: API_RESOURCE,
  });
  app.use('/config.json', (_req: IncomingMessage, res: ServerResponse) => {
    res.setHeader('Content-Type', 'application/json');
    res.setHeader('Cache-Control', 'no-cache');
    res.end(clientConfig);
  });
  app.useStaticAssets(join(WEB_DIST, 'assets'), {
    prefix: '/assets',
    index: false,
    immutable: true,
    maxAge: '365d',
    fallthrough: false,
  });
  const indexFile = join(WEB_DIST, 'index.html');
  let index: string | null = null;
  app.use((req: IncomingMessage, res: ServerResponse, next: () => void) => {
    const path = req.url ?? '/';
    if ((req.method !== 'GET' && req.method !== 'HEAD') || ownedByApi(path)) return next();
    if (/\.[a-z0-9]+$/i.test(path.split('?')[0]!) && !path.startsWith('/index.html')) {
      const file = join(WEB_DIST, path.split('?')[0]!);
      if (file.startsWith(WEB_DIST) && existsSync(file) && !file.endsWith('.html')) {
        res.setHeader('Cache-Control', 'public, max-age=3600');
        return (res as ServerResponse & { sendFile(p: string): void }).sendFile(file);
      }
      return next();
    }
    if (index === null) {
      if (!existsSync(indexFile)) return next();
      index = readFileSync(indexFile, 'utf8');
    }
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache');
    // The browser hides a nonce attribute from the DOM (and from CSS selectors); the client
    // reads it from the element's nonce property.
    const nonce = randomBytes(16).toString('base64');
    res.setHeader('Content-Security-Policy', contentSecurityPolicy(config.oidc.issuer, nonce));
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.end(
      req.method === 'HEAD'
        ? undefined
        : index.replace('</head>', `<meta name="style-nonce" nonce="${nonce}"></head>`),
    );
  });
}
