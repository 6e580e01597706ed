import type { OrganisationNumberScheme } from '#identity';

/** Role names that make a person an organisation's administrator (compared case-insensitively). */
const ADMINISTRATOR_ROLES = ['admin', 'administrator'];
/** Where an entry may carry its organisation number, as identity providers spell it. */
const NUMBER_KEYS = ['orgNumber', 'organisationNumber', 'organizationNumber', 'orgNo', 'ID'];
/** How many organisations one token may name: a claim is not a way to make the API do work. */
const MOST = 100;

function numberOf(entry: Record<string, unknown>): string | null {
  for (const key of NUMBER_KEYS) {
    const value = entry[key];
    // An ISO 6523 prefix ("0192:" for Norway's register) names the register, not the number.
    if (typeof value === 'string') return value.replace(/^\d{4}:/, '');
  }
  return null;
}

function administers(entry: Record<string, unknown>): boolean {
  const roles = entry.roles;
  return (
    Array.isArray(roles) &&
    roles.some((r) => typeof r === 'string' && ADMINISTRATOR_ROLES.includes(r.toLowerCase()))
  );
}

/**
 * The organisations a token's claim (OIDC_ORGANISATION_ROLES_CLAIM) names the person an
 * administrator of. Accepted: a list of organisation numbers (`["910000009"]`), or a list of
 * objects with the number under `orgNumber`, `organisationNumber`, `organizationNumber`, `orgNo`
 * or `ID` (an ISO 6523 prefix such as `0192:` is dropped) and `roles` that include `admin` or
 * `administrator` (`[{"orgNumber": "910000009", "roles": ["admin"]}]`). Anything else, and a
 * number the deployment's scheme refuses, is ignored: it grants nothing.
 */
export function administeredOrganisations(
  claim: unknown,
  scheme: OrganisationNumberScheme,
): string[] {
  if (!Array.isArray(claim)) return [];
  const found = new Set<string>();
  for (const entry of claim.slice(0, MOST)) {
    const number =
      typeof entry === 'string'
        ? entry
        : entry && typeof entry === 'object' && administers(entry as Record<string, unknown>)
          ? numberOf(entry as Record<string, unknown>)
          : null;
    if (number !== null && scheme.validate(number).ok) found.add(number);
  }
  return [...found];
}
