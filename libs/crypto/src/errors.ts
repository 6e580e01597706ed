export type OpenPgpErrorCode =
  | 'openpgp.malformed'
  | 'openpgp.too_large'
  | 'openpgp.too_many_packets'
  | 'openpgp.not_encrypted_to_platform'
  | 'openpgp.not_encrypted_to_recipient'
  | 'openpgp.decryption_failed'
  | 'openpgp.not_signed'
  | 'openpgp.unknown_signer'
  | 'openpgp.bad_signature'
  | 'openpgp.weak_algorithm'
  | 'openpgp.decompressed_too_large'
  | 'openpgp.timeout'
  | 'openpgp.unusable_key';

/**
 * A rejection of OpenPGP input. `code` (one of OpenPgpErrorCode) is stable and meant for
 * machines (API error bodies, receipts); `detail` is for the people who fix the sender's setup.
 */
export class OpenPgpError extends Error {
  constructor(
    readonly code: string,
    readonly detail: string,
  ) {
    super(`${code}: ${detail}`);
    this.name = 'OpenPgpError';
  }
}

/**
 * Failures of at-rest encryption. These point at configuration mistakes or tampered storage,
 * never at user input, so they carry no code for clients.
 */
export class EnvelopeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EnvelopeError';
  }
}
