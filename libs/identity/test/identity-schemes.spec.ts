import {
  IDENTITY_COUNTRIES,
  danishCprNumber,
  danishCvrNumber,
  identitySchemes,
  norwegianNationalId,
  norwegianOrganisationNumber,
} from '#identity';

describe('identitySchemes', () => {
  it("gives Norway's fødselsnummer and organisasjonsnummer for NO", () => {
    expect(identitySchemes('NO')).toEqual({
      country: 'NO',
      person: norwegianNationalId,
      organisation: norwegianOrganisationNumber,
    });
  });

  it("gives Denmark's CPR and CVR numbers for DK", () => {
    expect(identitySchemes('DK')).toEqual({
      country: 'DK',
      person: danishCprNumber,
      organisation: danishCvrNumber,
    });
  });

  it('names, for every country it offers, schemes of that country', () => {
    for (const country of IDENTITY_COUNTRIES) {
      const schemes = identitySchemes(country);
      expect([schemes.person.country, schemes.organisation.country]).toEqual([country, country]);
    }
  });
});
