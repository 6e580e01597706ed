import { danishCprNumber } from './denmark/cpr-number';
import { danishCvrNumber } from './denmark/cvr-number';
import type { NationalIdScheme, OrganisationNumberScheme } from './national-id-scheme';
import { norwegianNationalId } from './norway/norwegian-national-id';
import { norwegianOrganisationNumber } from './norway/organisation-number';

/** The countries a deployment can be configured for (`IDENTITY_COUNTRY`). */
export const IDENTITY_COUNTRIES = ['NO', 'DK'] as const;
export type IdentityCountry = (typeof IDENTITY_COUNTRIES)[number];

/** How one country numbers its people and its organisations; a deployment serves one country. */
export interface IdentitySchemes {
  readonly country: IdentityCountry;
  readonly person: NationalIdScheme;
  readonly organisation: OrganisationNumberScheme;
}

const SCHEMES: Readonly<Record<IdentityCountry, IdentitySchemes>> = {
  NO: { country: 'NO', person: norwegianNationalId, organisation: norwegianOrganisationNumber },
  DK: { country: 'DK', person: danishCprNumber, organisation: danishCvrNumber },
};

export function identitySchemes(country: IdentityCountry): IdentitySchemes {
  return SCHEMES[country];
}
