import { norwegianOrganisationNumber } from '#identity';

describe('norwegianOrganisationNumber', () => {
  it.each([
    ['974760673', 'Brønnøysundregistrene'],
    ['974761076', 'Skatteetaten'],
    ['889640782', 'NAV'],
    ['923609016', 'Equinor'],
    ['971526920', 'a number whose weighted sum leaves remainder 0, so its check digit is 0'],
  ])('accepts %s (%s)', (number) => {
    expect(norwegianOrganisationNumber.validate(number)).toEqual({ ok: true });
  });

  it.each([
    ['97476067', 'too short'],
    ['9747606730', 'too long'],
    ['974 760 673', 'written with spaces'],
    ['NO974760673', 'with a country prefix'],
    ['', 'empty'],
  ])('rejects %j (%s) as not 9 digits', (number) => {
    expect(norwegianOrganisationNumber.validate(number)).toEqual({
      ok: false,
      reason: 'must be 9 digits',
    });
  });

  it.each([
    ['974760674', 'the check digit one off'],
    ['947760673', 'two digits swapped'],
  ])('rejects %s (%s) because the check digit does not match', (number) => {
    expect(norwegianOrganisationNumber.validate(number)).toEqual({
      ok: false,
      reason: 'check digit does not match',
    });
  });

  it('rejects every number for a prefix whose check digit would have to be 10', () => {
    // 91000008: weighted sum 3·9 + 2·1 + 2·8 = 45, remainder 1.
    for (let k = 0; k <= 9; k++) {
      expect(norwegianOrganisationNumber.validate(`91000008${k}`).ok).toBe(false);
    }
  });
});
