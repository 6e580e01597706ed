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
}
