import { danishCvrNumber } from '#identity';

describe('danishCvrNumber', () => {
  it.each([
    ['24256790', 'Novo Nordisk'],
    ['61056416', 'Carlsberg'],
    ['22756214', 'A.P. Møller - Mærsk'],
    ['61126228', 'Danske Bank'],
  ])('accepts %s (%s)', (number) => {
    expect(danishCvrNumber.validate(number)).toEqual({ ok: true });
  });

  it.each([
    ['24256791', 'the last digit one off'],
    ['42256790', 'two digits swapped'],
  ])('rejects %s (%s) because the check digit does not match', (number) => {
    expect(danishCvrNumber.validate(number)).toEqual({
      ok: false,
      reason: 'check digit does not match',
    });
  });

  it.each([
    ['2425679', 'too short'],
    ['242567900', 'too long'],
    ['DK24256790', 'with a country prefix'],
  ])('rejects %j (%s) as not 8 digits', (number) => {
    expect(danishCvrNumber.validate(number)).toEqual({ ok: false, reason: 'must be 8 digits' });
  });
});
