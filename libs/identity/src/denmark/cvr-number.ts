import type { NationalIdValidation, OrganisationNumberScheme } from '../national-id-scheme';
import { weightedSumMod11 } from '../mod11';

// Erhvervsstyrelsen's weights: the eight digits, the last one included, sum to a multiple of 11.
const WEIGHTS = [2, 7, 6, 5, 4, 3, 2, 1] as const;

function validate(organisationNumber: string): NationalIdValidation {
  if (!/^\d{8}$/.test(organisationNumber)) return { ok: false, reason: 'must be 8 digits' };
  if (weightedSumMod11(Array.from(organisationNumber, Number), WEIGHTS) !== 0)
    return { ok: false, reason: 'check digit does not match' };
  return { ok: true };
}

/** Denmark's CVR number from Det Centrale Virksomhedsregister. */
export const danishCvrNumber: OrganisationNumberScheme = { country: 'DK', validate };
