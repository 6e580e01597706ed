import type { NationalIdValidation, OrganisationNumberScheme } from '../national-id-scheme';
import { mod11CheckDigit } from '../mod11';

// Brønnøysundregistrene's weights for the ninth digit; a remainder of 1 would need the digit
// 10, and no number is issued for such a prefix.
const WEIGHTS = [3, 2, 7, 6, 5, 4, 3, 2] as const;

function validate(organisationNumber: string): NationalIdValidation {
  if (!/^\d{9}$/.test(organisationNumber)) return { ok: false, reason: 'must be 9 digits' };
  const digits = Array.from(organisationNumber, Number);
  const check = mod11CheckDigit(digits.slice(0, 8), WEIGHTS);
  if (check === null || check !== digits[8])
    return { ok: false, reason: 'check digit does not match' };
  return { ok: true };
}

/** Norway's organisasjonsnummer from Enhetsregisteret. */
export const norwegianOrganisationNumber: OrganisationNumberScheme = { country: 'NO', validate };
