export type {
  NationalIdScheme,
  NationalIdValidation,
  NationalIdValidationOptions,
} from './national-id-scheme';
export { norwegianNationalId } from './norway/norwegian-national-id';
export { makeSyntheticNorwegianId } from './norway/synthetic';
export { nationalIdHmac, recipientRef } from './national-id-hmac';
