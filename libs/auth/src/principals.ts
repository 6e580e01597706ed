export const SCOPES = [
  'letters:send',
  'letters:read',
  'recipients:lookup',
  'webhooks:manage',
] as const;
export type Scope = (typeof SCOPES)[number];

export const isScope = (value: string): value is Scope =>
  (SCOPES as readonly string[]).includes(value);

/**
 * A comma-separated scope list as an operator types it (`letters:send,recipients:lookup`), in
 * the canonical order and without repeats; an unknown or empty list is refused, naming it.
 */
export function parseScopes(list: string): Scope[] {
  const given = list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = given.filter((s) => !isScope(s));
  if (unknown.length > 0)
    throw new RangeError(`unknown scope ${unknown.join(', ')}; known: ${SCOPES.join(', ')}`);
  if (given.length === 0) throw new RangeError(`no scopes given; known: ${SCOPES.join(', ')}`);
  return SCOPES.filter((s) => given.includes(s));
}

export interface AgencyPrincipal {
  kind: 'agency';
  agencyId: string;
  name: string;
  scopes: Scope[];
  apiKeyId: string;
}

export interface CitizenPrincipal {
  kind: 'citizen';
  subject: string;
  nationalId: string;
  name: string;
  /** Organisation numbers the token's organisation-roles claim names them an administrator of. */
  administratorOf: string[];
}

export interface AuditorPrincipal {
  kind: 'auditor';
  subject: string;
  name: string;
}

export type Principal = AgencyPrincipal | CitizenPrincipal | AuditorPrincipal;
