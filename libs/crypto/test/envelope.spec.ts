import { randomBytes } from 'node:crypto';

import {
  documentAad,
  newDataKey,
  parseMasterKeys,
  seal,
  unseal,
  unwrapDataKey,
  wrapDataKey,
} from '../src/envelope';
import { EnvelopeError } from '../src/errors';

const PLAINTEXT = Buffer.from('%PDF-1.7 vedtak om bostøtte');
const AAD = documentAad('letter-1', 'document-1', 1);

function keySpec(...entries: [number, Buffer][]): string {
  return entries.map(([version, key]) => `${version}:${key.toString('base64')}`).join(',');
}

describe('seal and unseal', () => {
  it('round-trips the plaintext', () => {
    const key = newDataKey();

    expect(unseal(key, seal(key, PLAINTEXT, AAD), AAD)).toEqual(PLAINTEXT);
  });

  it('lays the result out as iv, tag and ciphertext of the plaintext’s length', () => {
    const sealed = seal(newDataKey(), PLAINTEXT, AAD);

    expect(sealed).toHaveLength(12 + 16 + PLAINTEXT.length);
  });

  it('uses a fresh iv each time, so equal plaintexts give different ciphertexts', () => {
    const key = newDataKey();

    expect(seal(key, PLAINTEXT, AAD).equals(seal(key, PLAINTEXT, AAD))).toBe(false);
  });

  it('round-trips an empty plaintext', () => {
    const key = newDataKey();

    expect(unseal(key, seal(key, new Uint8Array(), AAD), AAD)).toHaveLength(0);
  });

  it('detects a change to any byte of the sealed data', () => {
    const key = newDataKey();
    const sealed = seal(key, PLAINTEXT, AAD);

    for (let i = 0; i < sealed.length; i++) {
      const tampered = Buffer.from(sealed);
      tampered[i] = (tampered[i] ?? 0) ^ 0x01;
      expect(() => unseal(key, tampered, AAD)).toThrow(EnvelopeError);
    }
  });

  it('fails with the wrong additional data', () => {
    const key = newDataKey();
    const sealed = seal(key, PLAINTEXT, AAD);

    expect(() => unseal(key, sealed, documentAad('letter-1', 'document-2', 1))).toThrow(
      EnvelopeError,
    );
    expect(() => unseal(key, sealed, documentAad('letter-1', 'document-1', 2))).toThrow(
      EnvelopeError,
    );
  });

  it('fails with the wrong key', () => {
    const sealed = seal(newDataKey(), PLAINTEXT, AAD);

    expect(() => unseal(newDataKey(), sealed, AAD)).toThrow(/authentication failed/);
  });

  it('fails on data too short to hold an iv and a tag', () => {
    expect(() => unseal(newDataKey(), Buffer.alloc(27), AAD)).toThrow(/shorter than iv and tag/);
  });

  it('refuses keys that are not 32 bytes long', () => {
    expect(() => seal(randomBytes(16), PLAINTEXT, AAD)).toThrow(/must be 32 bytes/);
  });
});

describe('documentAad', () => {
  it('cannot be made to collide by moving separators between ids', () => {
    expect(documentAad('a|b', 'c', 1).equals(documentAad('a', 'b|c', 1))).toBe(false);
    expect(documentAad('a","b', 'c', 1).equals(documentAad('a', 'b","c', 1))).toBe(false);
  });

  it('refuses a key version that is not a non-negative integer', () => {
    expect(() => documentAad('l', 'd', 1.5)).toThrow(EnvelopeError);
    expect(() => documentAad('l', 'd', -1)).toThrow(EnvelopeError);
  });
});

describe('parseMasterKeys', () => {
  const v1 = randomBytes(32);
  const v2 = randomBytes(32);

  it('makes the highest version current, whatever the order', () => {
    const keyring = parseMasterKeys(keySpec([2, v2], [1, v1]));

    expect(keyring.current).toEqual({ version: 2, key: v2 });
    expect(keyring.byVersion(1)).toEqual(v1);
  });

  it('tolerates spaces around entries', () => {
    expect(parseMasterKeys(` 1:${v1.toString('base64')} , `).current.version).toBe(1);
  });

  it('throws for a version it does not hold', () => {
    expect(() => parseMasterKeys(keySpec([1, v1])).byVersion(3)).toThrow(
      /version 3 is not configured/,
    );
  });

  it.each([
    ['an empty spec', '', /no master keys/],
    ['a missing version', `:${v1.toString('base64')}`, /not "VERSION:BASE64"/],
    ['version 0', `0:${v1.toString('base64')}`, /use 1 or more/],
    ['a duplicate version', `1:${v1.toString('base64')},1:${v2.toString('base64')}`, /twice/],
    ['a key of 16 bytes', `1:${randomBytes(16).toString('base64')}`, /16 bytes; it must be 32/],
    ['invalid base64', `1:${v1.toString('base64').replace(/.$/, '*')}`, /not valid base64/],
  ])('rejects %s', (_, spec, message) => {
    expect(() => parseMasterKeys(spec)).toThrow(message);
  });

  it('never repeats key material in its errors', () => {
    const short = randomBytes(16).toString('base64');

    expect(() => parseMasterKeys(`1:${short}`)).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining(short) }),
    );
  });
});

describe('wrapDataKey and unwrapDataKey', () => {
  const v1 = randomBytes(32);
  const v2 = randomBytes(32);

  it('wraps with the current master key and unwraps again', () => {
    const keyring = parseMasterKeys(keySpec([1, v1]));
    const dataKey = newDataKey();

    const { wrapped, masterKeyVersion } = wrapDataKey(keyring, dataKey, 'mailbox-1');

    expect(masterKeyVersion).toBe(1);
    expect(wrapped.includes(dataKey)).toBe(false);
    expect(unwrapDataKey(keyring, wrapped, masterKeyVersion, 'mailbox-1')).toEqual(dataKey);
  });

  it('still unwraps keys wrapped with version 1 after version 2 is added', () => {
    const dataKey = newDataKey();
    const before = wrapDataKey(parseMasterKeys(keySpec([1, v1])), dataKey, 'mailbox-1');
    const rotated = parseMasterKeys(keySpec([1, v1], [2, v2]));

    const rewrapped = wrapDataKey(rotated, dataKey, 'mailbox-1');

    expect(unwrapDataKey(rotated, before.wrapped, before.masterKeyVersion, 'mailbox-1')).toEqual(
      dataKey,
    );
    expect(rewrapped.masterKeyVersion).toBe(2);
    expect(unwrapDataKey(rotated, rewrapped.wrapped, 2, 'mailbox-1')).toEqual(dataKey);
  });

  it('refuses to unwrap once the old master key version is removed', () => {
    const before = wrapDataKey(parseMasterKeys(keySpec([1, v1])), newDataKey(), 'mailbox-1');
    const onlyV2 = parseMasterKeys(keySpec([2, v2]));

    expect(() => unwrapDataKey(onlyV2, before.wrapped, 1, 'mailbox-1')).toThrow(EnvelopeError);
  });

  it('refuses a wrapped key moved to another mailbox', () => {
    const keyring = parseMasterKeys(keySpec([1, v1]));
    const { wrapped } = wrapDataKey(keyring, newDataKey(), 'mailbox-1');

    expect(() => unwrapDataKey(keyring, wrapped, 1, 'mailbox-2')).toThrow(EnvelopeError);
  });

  it('refuses a wrapped key presented under another master key version', () => {
    const keyring = parseMasterKeys(keySpec([1, v1], [2, v1]));
    const { wrapped } = wrapDataKey(keyring, newDataKey(), 'mailbox-1');

    expect(() => unwrapDataKey(keyring, wrapped, 1, 'mailbox-1')).toThrow(EnvelopeError);
  });
});

describe('newDataKey', () => {
  it('makes distinct 32-byte keys', () => {
    const a = newDataKey();

    expect(a).toHaveLength(32);
    expect(a.equals(newDataKey())).toBe(false);
  });
});
