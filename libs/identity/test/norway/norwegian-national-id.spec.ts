import { norwegianNationalId } from '../../src/norway/norwegian-national-id';
import { norwegianCheckDigits } from '../../src/norway/check-digits';

const real = { allowSynthetic: false };
const testing = { allowSynthetic: true };

/**
 * A number for a six-digit date, with the first individual number from `individual` on that has
 * valid control digits, the way the registry issues them.
 */
function issue(date: string, individual: number): string {
  for (let i = individual; i <= 999; i++) {
    const firstNine = date + String(i).padStart(3, '0');
    const check = norwegianCheckDigits(Array.from(firstNine, Number));
    if (check !== null) return `${firstNine}${check[0]}${check[1]}`;
  }
  throw new Error(`no individual number from ${individual} has valid control digits`);
}

describe('norwegianNationalId', () => {
  it('is the scheme for Norway', () => {
    expect(norwegianNationalId.country).toBe('NO');
  });

  // Published in NAV's open-source fødselsnummer validator (navikt/fnrvalidator).
  it.each([
    ['13097248022', 'an ordinary fødselsnummer'],
    ['29029648784', 'a birthday on 29 February in a leap year'],
    ['29020075838', '29 February 2000 (a leap year though divisible by 100)'],
    ['15021951940', 'a control digit that works out as 11 and is written 0'],
    ['53097248016', 'a D-number'],
  ])('accepts %s, %s', (id) => {
    expect(norwegianNationalId.validate(id, real)).toEqual({ ok: true });
  });

  it.each([
    ['13527248013', 'a Dolly number (month + 40)'],
    ['10915596784', 'a Tenor number (month + 80)'],
    ['50846202355', 'a Tenor D-number'],
  ])('accepts %s, %s, only when synthetic numbers are allowed', (id) => {
    expect(norwegianNationalId.validate(id, testing)).toEqual({ ok: true });
    expect(norwegianNationalId.validate(id, real)).toEqual({
      ok: false,
      reason: 'synthetic test numbers are not accepted',
    });
  });

  it('accepts numbers from every century the individual number can encode', () => {
    // 1854–1899, 1900–1999, 1940–1999 from 900 up, 2000–2039.
    const cases: [string, number][] = [
      ['010185', 600],
      ['311299', 0],
      ['010150', 950],
      ['311239', 500],
    ];
    for (const [date, individual] of cases) {
      expect(norwegianNationalId.validate(issue(date, individual), real)).toEqual({ ok: true });
    }
  });

  it.each([
    ['1309724802', 'too short'],
    ['130972480221', 'too long'],
    ['1309724802A', 'a letter'],
    [' 13097248022', 'leading space'],
    ['1309 7248022', 'an inner space'],
    ['', 'empty'],
    ['١٣٠٩٧٢٤٨٠٢٢', 'non-ASCII digits'],
  ])('rejects %j (%s) as not 11 digits', (id) => {
    expect(norwegianNationalId.validate(id, real)).toEqual({
      ok: false,
      reason: 'must be 11 digits',
    });
  });

  it.each([
    ['310272', '31 February'],
    ['290201', '29 February in 1901'],
    ['320172', 'day 32'],
    ['000172', 'day 0'],
    ['011372', 'month 13'],
    ['010072', 'month 0'],
    ['721272', 'a D-number day of 32'],
    ['016172', 'month 61, neither a real nor a synthetic month'],
  ])('rejects a number born on %s (%s) as not a valid date', (date) => {
    expect(norwegianNationalId.validate(issue(date, 480), testing)).toEqual({
      ok: false,
      reason: 'not a valid date',
    });
  });

  it('rejects an individual number that was never allocated to the birth year', () => {
    // 750–899 are only used for births 2000–2039, written 00–39.
    const id = issue('010172', 800);
    expect(norwegianNationalId.validate(id, real)).toEqual({
      ok: false,
      reason: 'individual number does not fit the birth year',
    });
  });

  it.each([
    ['13097248032', 'first control digit wrong'],
    ['13097248023', 'second control digit wrong'],
    ['13097248122', 'a mistyped individual number'],
    ['13097240822', 'two digits swapped'],
  ])('rejects %s (%s) because the check digits do not match', (id) => {
    expect(norwegianNationalId.validate(id, real)).toEqual({
      ok: false,
      reason: 'check digits do not match',
    });
  });

  it('rejects every number whose first control digit would have to be 10', () => {
    // 13097248x: try individual numbers until one has no valid first control digit.
    let prefix = '';
    for (let i = 0; i <= 499 && !prefix; i++) {
      const candidate = `130972${String(i).padStart(3, '0')}`;
      if (norwegianCheckDigits(Array.from(candidate, Number)) === null) prefix = candidate;
    }
    for (let k = 0; k <= 99; k++) {
      const id = prefix + String(k).padStart(2, '0');
      expect(norwegianNationalId.validate(id, real)).toEqual({
        ok: false,
        reason: 'check digits do not match',
      });
    }
  });

  it('does not yet accept the check digit rule that Norway introduces in 2032', () => {
    // Valid only with the 2032 rule (k1 computed with a remainder offset); see check-digits.ts.
    expect(norwegianNationalId.validate('30108299939', real)).toEqual({
      ok: false,
      reason: 'check digits do not match',
    });
  });

  it('accepts exactly one number in every hundred for a valid prefix', () => {
    // The two control digits are fully determined by the first nine digits.
    const valid = [];
    for (let k = 0; k <= 99; k++) {
      const id = `130972480${String(k).padStart(2, '0')}`;
      if (norwegianNationalId.validate(id, real).ok) valid.push(id);
    }
    expect(valid).toEqual(['13097248022']);
  });
});

describe('norwegianNationalId.birthDate', () => {
  it.each([
    ['13097248022', '1972-09-13', 'an ordinary fødselsnummer'],
    ['53097248016', '1972-09-13', 'a D-number (day + 40)'],
    ['29020075838', '2000-02-29', 'born 2000, individual number 500–999'],
  ])('reads %s as born %s (%s)', (id, date) => {
    expect(norwegianNationalId.birthDate(id, real)).toBe(date);
  });

  it('reads a Tenor number only when synthetic numbers are allowed', () => {
    expect(norwegianNationalId.birthDate('10915596784', testing)).toBe('1955-11-10');
    expect(norwegianNationalId.birthDate('10915596784', real)).toBeNull();
  });

  it('has no birth date for a number it refuses', () => {
    expect(norwegianNationalId.birthDate('13097248023', real)).toBeNull();
  });
});
