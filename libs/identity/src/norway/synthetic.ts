import { norwegianBirthYear } from './century';
import { norwegianCheckDigits } from './check-digits';

const MONTH_OFFSET = { dolly: 40, tenor: 80 } as const;

const twoDigits = (n: number): string => String(n).padStart(2, '0');

/**
 * A synthetic Norwegian test number for demo and test data: real birth date, month marked as
 * Dolly (+40) or Tenor (+80), so it can never belong to a real person.
 *
 * About one individual number in eleven has no valid control digit; then the next individual
 * number that still encodes the same century is used, as the registries themselves do.
 */
export function makeSyntheticNorwegianId(
  birthDate: Date,
  individual: number,
  kind: 'tenor' | 'dolly',
): string {
  if (!Number.isInteger(individual) || individual < 0 || individual > 999) {
    throw new RangeError('individual number must be an integer from 0 to 999');
  }
  const year = birthDate.getUTCFullYear();
  if (Number.isNaN(year)) throw new RangeError('birth date is not a valid date');
  const prefix =
    twoDigits(birthDate.getUTCDate()) +
    twoDigits(birthDate.getUTCMonth() + 1 + MONTH_OFFSET[kind]) +
    twoDigits(year % 100);

  for (let candidate = individual; candidate <= 999; candidate++) {
    if (norwegianBirthYear(year % 100, candidate) !== year) continue;
    const firstNine = prefix + String(candidate).padStart(3, '0');
    const check = norwegianCheckDigits(Array.from(firstNine, Number));
    if (check !== null) return `${firstNine}${check[0]}${check[1]}`;
  }
  throw new RangeError(`no valid individual number from ${individual} for birth year ${year}`);
}
