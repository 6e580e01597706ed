import { isValidDate, isoDate, type IsoDate } from '../calendar';
import type {
  NationalIdScheme,
  NationalIdValidation,
  NationalIdValidationOptions,
} from '../national-id-scheme';
import { danishBirthYear } from './century';

// The CPR office's advice for numbers that must never be mistaken for real ones
// (erstatningspersonnumre): raise the first digit of the day by 6, so the 7th is written 67.
// Test and demo data use them the way Norway's use Tenor numbers.
const SYNTHETIC_DAY_OFFSET = 60;

type Parsed = { ok: true; birthDate: IsoDate } | { ok: false; reason: string };

/**
 * No modulus-11 check: the CPR office has issued numbers without one since 1 October 2007 and
 * asks every system to accept them, so the date and the century are all a CPR number proves.
 * Only the ten digits are accepted, not `DDMMYY-SSSS`: the mailbox is found by an HMAC of the
 * exact string, and one person must not have two.
 */
function parse(id: string, opts: NationalIdValidationOptions): Parsed {
  if (!/^\d{10}$/.test(id))
    return { ok: false, reason: 'must be 10 digits, written without the hyphen' };
  const pair = (i: number): number => Number(id.slice(i, i + 2));
  let day = pair(0);
  if (day > SYNTHETIC_DAY_OFFSET) {
    if (!opts.allowSynthetic)
      return { ok: false, reason: 'synthetic test numbers are not accepted' };
    day -= SYNTHETIC_DAY_OFFSET;
  }
  const month = pair(2);
  const year = danishBirthYear(pair(4), Number(id[6]));
  if (!isValidDate(year, month, day)) return { ok: false, reason: 'not a valid date' };
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

/** Denmark's CPR number (personnummer), and (when allowed) replacement numbers for tests. */
export const danishCprNumber: NationalIdScheme = { country: 'DK', validate, birthDate };
