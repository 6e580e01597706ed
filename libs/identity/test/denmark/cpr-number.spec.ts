import { danishCprNumber } from '#identity';

const real = { allowSynthetic: false };
const testing = { allowSynthetic: true };

describe('danishCprNumber', () => {
  it('is the scheme for Denmark', () => {
    expect(danishCprNumber.country).toBe('DK');
  });

  it('accepts the CPR office example 070761-4285, born 7 July 1961', () => {
    expect(danishCprNumber.validate('0707614285', real)).toEqual({ ok: true });
    expect(danishCprNumber.birthDate('0707614285', real)).toBe('1961-07-07');
  });

  it('accepts a number without the modulus-11 check, as issued since October 2007', () => {
    // 010165-1235 fails modulus 11 (the weighted sum leaves 4); the CPR office issues such numbers.
    expect(danishCprNumber.validate('0101651235', real)).toEqual({ ok: true });
  });

  it.each([
    ['0101000000', '1900-01-01', '7th digit 0–3: the 1900s'],
    ['3112993999', '1999-12-31', '7th digit 0–3: the 1900s'],
    ['0101364000', '2036-01-01', '7th digit 4, year 00–36: the 2000s'],
    ['0101374000', '1937-01-01', '7th digit 4, year 37–99: the 1900s'],
    ['0101369000', '2036-01-01', '7th digit 9, year 00–36: the 2000s'],
    ['0101379000', '1937-01-01', '7th digit 9, year 37–99: the 1900s'],
    ['0101575000', '2057-01-01', '7th digit 5–8, year 00–57: the 2000s'],
    ['0101588000', '1858-01-01', '7th digit 5–8, year 58–99: the 1800s'],
    ['2902005000', '2000-02-29', '29 February 2000'],
  ])('reads %s as born %s (%s)', (id, date) => {
    expect(danishCprNumber.birthDate(id, real)).toBe(date);
  });

  it('reads the day by the calendar of the century the 7th digit names', () => {
    // 29 February of year 00 exists in 2000 (7th digit 4) but not in 1900 (7th digit 0).
    expect(danishCprNumber.validate('2902004001', real)).toEqual({ ok: true });
    expect(danishCprNumber.validate('2902000001', real)).toEqual({
      ok: false,
      reason: 'not a valid date',
    });
  });

  it.each([
    ['3102611234', '31 February'],
    ['0013611234', 'month 13'],
    ['0000611234', 'month 0'],
    ['0001611234', 'day 0'],
    ['3201611234', 'day 32'],
  ])('rejects %s (%s) as not a valid date', (id) => {
    expect(danishCprNumber.validate(id, real)).toEqual({ ok: false, reason: 'not a valid date' });
  });

  it.each([
    ['070761-4285', 'the hyphenated form'],
    ['070761428', 'too short'],
    ['07076142851', 'too long'],
    ['', 'empty'],
  ])('rejects %j (%s) as not 10 digits', (id) => {
    expect(danishCprNumber.validate(id, real)).toEqual({
      ok: false,
      reason: 'must be 10 digits, written without the hyphen',
    });
  });

  it('accepts a replacement number (day + 60) only when synthetic numbers are allowed', () => {
    // Born 7 July 1961, written with day 67 as the CPR office advises for numbers of its own.
    expect(danishCprNumber.validate('6707614285', testing)).toEqual({ ok: true });
    expect(danishCprNumber.birthDate('6707614285', testing)).toBe('1961-07-07');
    expect(danishCprNumber.validate('6707614285', real)).toEqual({
      ok: false,
      reason: 'synthetic test numbers are not accepted',
    });
    expect(danishCprNumber.birthDate('6707614285', real)).toBeNull();
  });
});
