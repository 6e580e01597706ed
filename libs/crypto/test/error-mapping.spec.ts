import { describeError, toOpenPgpError } from '../src/error-mapping';
import { OpenPgpError } from '../src/errors';

function wrapped(outer: string, inner: string): Error {
  // openpgp appends the cause's message to the wrapper's and keeps the cause.
  return new Error(`${outer}: ${inner}`, { cause: new Error(inner) });
}

describe('toOpenPgpError', () => {
  it.each([
    ['Maximum decompressed message size exceeded', 'openpgp.decompressed_too_large'],
    ['Message is not signed', 'openpgp.not_signed'],
    ['Could not find signing key with key ID 1665328c63962d3f', 'openpgp.unknown_signer'],
    ['Insecure message hash algorithm: SHA1', 'openpgp.weak_algorithm'],
    ['RSA keys shorter than 2048 bits are considered too weak.', 'openpgp.weak_algorithm'],
    ['Signed digest did not match', 'openpgp.bad_signature'],
    ['Signature creation time is in the future', 'openpgp.bad_signature'],
    ['Primary key is revoked', 'openpgp.unknown_signer'],
    ['Session key decryption failed.', 'openpgp.decryption_failed'],
    ['Modification detected.', 'openpgp.decryption_failed'],
    ['Key Data Integrity failed', 'openpgp.decryption_failed'],
    ['Error during parsing. This message / key probably does not conform', 'openpgp.malformed'],
    ['Missing trailing signature packets', 'openpgp.malformed'],
  ])('maps "%s" to %s', (message, code) => {
    expect(toOpenPgpError(wrapped('Error decrypting message', message), 'fallback').code).toBe(
      code,
    );
  });

  it('uses the fallback code for a message it does not know', () => {
    expect(
      toOpenPgpError(new Error('Invalid point encoding'), 'openpgp.decryption_failed'),
    ).toEqual(new OpenPgpError('openpgp.decryption_failed', 'Invalid point encoding'));
  });

  it('passes an OpenPgpError through unchanged', () => {
    const original = new OpenPgpError('openpgp.timeout', 'slow');

    expect(toOpenPgpError(original, 'openpgp.malformed')).toBe(original);
  });
});

describe('describeError', () => {
  it('drops openpgp’s wrapper prefix, repeated causes and minified class names', () => {
    const error = wrapped(
      'Error decrypting message',
      'Parsing ea failed: Maximum decompressed message size exceeded',
    );

    expect(describeError(error)).toBe('Maximum decompressed message size exceeded');
  });

  it('describes values that are not errors', () => {
    expect(describeError('plain string')).toBe('plain string');
  });
});
