import { isValidDate, isoDate, type IsoDate } from '../calendar';
import type {
  NationalIdScheme,
  NationalIdValidation,
  NationalIdValidationOptions,
} from '../national-id-scheme';
import { norwegianBirthYear } from './century';
import { norwegianCheckDigits } from './check-digits';

// Offsets added to parts of the birth date to mark kinds of number. A D-number (issued to
// people without a fødselsnummer) adds 40 to the day; the test registries add to the month:
// 40 in NAV's Dolly, 80 in Skatteetaten's Tenor.
const D_NUMBER_DAY_OFFSET = 40;
const DOLLY_MONTH_OFFSET = 40;
const TENOR_MONTH_OFFSET = 80;

type Parsed = { ok: true; birthDate: IsoDate } | { ok: false; reason: string };

function parse(id: string, opts: NationalIdValidationOptions): Parsed {
  if (!/^\d{11}$/.test(id)) return { ok: false, reason: 'must be 11 digits' };
  const digits = Array.from(id, Number);
  const pair = (i: number): number => Number(id.slice(i, i + 2));

  let day = pair(0);
  if (day > D_NUMBER_DAY_OFFSET) day -= D_NUMBER_DAY_OFFSET;
  let month = pair(2);
  const syntheticOffset = [TENOR_MONTH_OFFSET, DOLLY_MONTH_OFFSET].find(
    (offset) => month > offset && month <= offset + 12,
  );
  if (syntheticOffset !== undefined) {
    if (!opts.allowSynthetic)
      return { ok: false, reason: 'synthetic test numbers are not accepted' };
    month -= syntheticOffset;
  }

  const year = norwegianBirthYear(pair(4), Number(id.slice(6, 9)));
  if (year === null) return { ok: false, reason: 'individual number does not fit the birth year' };
  if (!isValidDate(year, month, day)) return { ok: false, reason: 'not a valid date' };

  const check = norwegianCheckDigits(digits.slice(0, 9));
  if (check === null || check[0] !== digits[9] || check[1] !== digits[10]) {
    return { ok: false, reason: 'check digits do not match' };
  }
  return { ok: true, birthDate: isoDate(year, month, day) };
}

function validate(id: string, opts: NationalIdValidationOptions): NationalIdValidation {
  const parsed = parse(id, opts);
  return parsed.ok ? { ok: true } : parsed;
}

function birthDate(id: string, opts: NationalIdValidationOptions): IsoDate | null {
  const parsed = parse(id, opts);
  return parsed.ok ? parsed.birthDate : null;
}

/** Norway's fødselsnummer and D-number, and (when allowed) Dolly and Tenor test numbers. */
export const norwegianNationalId: NationalIdScheme = { country: 'NO', validate, birthDate };
