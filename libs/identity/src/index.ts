export type {
  NationalIdScheme,
  NationalIdValidation,
  NationalIdValidationOptions,
  OrganisationNumberScheme,
} from './national-id-scheme';
export type { IsoDate } from './calendar';
export {
  IDENTITY_COUNTRIES,
  identitySchemes,
  type IdentityCountry,
  type IdentitySchemes,
} from './identity-schemes';
export { norwegianNationalId } from './norway/norwegian-national-id';
export { norwegianOrganisationNumber } from './norway/organisation-number';
export { danishCprNumber } from './denmark/cpr-number';
export { danishCvrNumber } from './denmark/cvr-number';
export { makeSyntheticNorwegianId } from './norway/synthetic';
export { nationalIdHmac, recipientRef } from './national-id-hmac';
export { DEMO_ORGANISATION, DEMO_PEOPLE, type DemoPerson } from './demo-people';
