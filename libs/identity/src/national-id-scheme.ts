import type { IsoDate } from './calendar';

export type NationalIdValidation = { ok: true } | { ok: false; reason: string };

export interface NationalIdValidationOptions {
  /**
   * Accept the synthetic test numbers that national test registries hand out. Real registries
   * never issue them, so production keeps this off and development and tests turn it on.
   */
  allowSynthetic: boolean;
}

/**
 * One country's national identity number. Everything country-specific sits behind this
 * interface so that Denmark's CPR or Sweden's personnummer can be added as another module.
 */
export interface NationalIdScheme {
  /** ISO 3166-1 alpha-2 code of the issuing country. */
  readonly country: string;
  validate(id: string, opts: NationalIdValidationOptions): NationalIdValidation;
  /**
   * The birth date the number encodes, or null when `validate` would refuse it. A guardian acts
   * for a minor until the 18th birthday, and this is where the mailbox learns the date.
   */
  birthDate(id: string, opts: NationalIdValidationOptions): IsoDate | null;
}

/** One country's organisation number (Norway's organisasjonsnummer, Denmark's CVR). */
export interface OrganisationNumberScheme {
  readonly country: string;
  validate(organisationNumber: string): NationalIdValidation;
}
