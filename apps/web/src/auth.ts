/**
 * OpenID Connect authorization code flow with PKCE (RFC 7636), for a public client.
 * Tokens live in this module's memory only: never in localStorage or sessionStorage, so a
 * script injected later, or someone at the same computer after logout, finds none. Only the
 * one-time PKCE verifier and state survive the redirect, in sessionStorage, and are removed
 * as soon as the code is exchanged.
 *
 * A reload loses the tokens, not the login: a tab that was logged in (a flag without any token
 * in sessionStorage) asks the issuer again with `prompt=none`, which answers at once from its
 * own session cookie, or with `login_required` when that session has ended.
 */
export interface ClientConfig {
  issuer: string;
  clientId: string;
  scope: string;
  resource?: string;
}

interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  end_session_endpoint?: string;
}

interface Session {
  accessToken: string;
  idToken?: string;
  expiresAt: number;
  name: string;
}

const PENDING = 'postkasse.login';
const SIGNED_IN = 'postkasse.signedIn';
let session: Session | null = null;
let configPromise: Promise<{ config: ClientConfig; discovery: Discovery }> | null = null;

function settings() {
  configPromise ??= (async () => {
    const config = (await (await fetch('/config.json')).json()) as ClientConfig;
    const response = await fetch(`${config.issuer}/.well-known/openid-configuration`);
    if (!response.ok) throw new Error('discovery failed');
    const discovery = (await response.json()) as Discovery;
    if (discovery.issuer !== config.issuer) throw new Error('discovery names another issuer');
    return { config, discovery };
  })();
  configPromise.catch(() => (configPromise = null));
  return configPromise;
}

function randomString(bytes = 32): string {
  const data = crypto.getRandomValues(new Uint8Array(bytes));
  return base64url(data);
}

function base64url(data: Uint8Array): string {
  let s = '';
  for (const b of data) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

async function challengeOf(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

const redirectUri = () => `${location.origin}/callback`;

/** Whether this tab was logged in before a reload, so a silent login is worth trying. */
export function canResume(): boolean {
  return sessionStorage.getItem(SIGNED_IN) === '1';
}

/** The issuer's session has ended (or never began): the app shows its start page, quietly. */
export class SilentLoginFailed extends Error {
  constructor(readonly returnTo: string) {
    super('login_required');
  }
}

/** Only a path of this app, never another site (`//host` is one). */
const local = (path: string) => (path.startsWith('/') && !path.startsWith('//') ? path : '/');

export async function login(returnTo = '/', silent = false): Promise<void> {
  const { config, discovery } = await settings();
  const verifier = randomString();
  const state = randomString(16);
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state, returnTo, silent }));
  const params = new URLSearchParams({
    client_id: config.clientId,
    response_type: 'code',
    redirect_uri: redirectUri(),
    scope: config.scope,
    state,
    code_challenge: await challengeOf(verifier),
    code_challenge_method: 'S256',
  });
  if (config.resource) params.set('resource', config.resource);
  if (silent) params.set('prompt', 'none');
  location.assign(`${discovery.authorization_endpoint}?${params}`);
}

function claimsOf(jwt: string): Record<string, unknown> {
  try {
    const part = jwt.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/');
    const json = new TextDecoder().decode(Uint8Array.from(atob(part), (c) => c.charCodeAt(0)));
    return JSON.parse(json) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/** Finishes the redirect back from the issuer; returns where the user was going. */
export async function completeLogin(url: URL): Promise<string> {
  const pending = JSON.parse(sessionStorage.getItem(PENDING) ?? 'null') as {
    verifier: string;
    state: string;
    returnTo: string;
    silent?: boolean;
  } | null;
  sessionStorage.removeItem(PENDING);
  const code = url.searchParams.get('code');
  if (pending?.silent && !code) {
    sessionStorage.removeItem(SIGNED_IN);
    throw new SilentLoginFailed(local(pending.returnTo));
  }
  if (!pending || !code || url.searchParams.get('state') !== pending.state) {
    throw new Error(url.searchParams.get('error') ?? 'login response does not match the request');
  }
  const { config, discovery } = await settings();
  const response = await fetch(discovery.token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri(),
      client_id: config.clientId,
      code_verifier: pending.verifier,
    }),
  });
  if (!response.ok) throw new Error(`token endpoint answered ${response.status}`);
  const tokens = (await response.json()) as {
    access_token: string;
    id_token?: string;
    expires_in?: number;
  };
  const claims = claimsOf(tokens.id_token ?? tokens.access_token);
  session = {
    accessToken: tokens.access_token,
    idToken: tokens.id_token,
    expiresAt: Date.now() + (tokens.expires_in ?? 3600) * 1000,
    name: typeof claims.name === 'string' ? claims.name : '',
  };
  sessionStorage.setItem(SIGNED_IN, '1');
  return local(pending.returnTo);
}

export function accessToken(): string | null {
  if (session && session.expiresAt - 30_000 < Date.now()) session = null;
  return session?.accessToken ?? null;
}

export function userName(): string {
  return session?.name ?? '';
}

export function forget(): void {
  session = null;
}

/** Ends the session here and at the issuer, then comes back to the start page. */
export async function logout(): Promise<void> {
  const idToken = session?.idToken;
  session = null;
  sessionStorage.removeItem(SIGNED_IN);
  const { config, discovery } = await settings();
  if (!discovery.end_session_endpoint) return location.assign('/');
  const params = new URLSearchParams({
    client_id: config.clientId,
    post_logout_redirect_uri: `${location.origin}/`,
  });
  if (idToken) params.set('id_token_hint', idToken);
  location.assign(`${discovery.end_session_endpoint}?${params}`);
}
