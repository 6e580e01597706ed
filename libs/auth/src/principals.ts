export const SCOPES = [
  'letters:send',
  'letters:read',
  'recipients:lookup',
  'webhooks:manage',
] as const;
export type Scope = (typeof SCOPES)[number];

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
}

export interface AuditorPrincipal {
  kind: 'auditor';
  subject: string;
  name: string;
}

export type Principal = AgencyPrincipal | CitizenPrincipal | AuditorPrincipal;
