import * as openpgp from 'openpgp';

import { OpenPgpError } from '../src/errors';
import { Base64Decoder } from '../src/base64';
import {
  NOT_OPENPGP,
  decodeDocumentContent,
  inspectMessage,
  streamedDocumentContent,
} from '../src/intake';
import { generatePlatformKey, readPlatformKey, type PlatformKey } from '../src/keys';
import { DEFAULT_OPENPGP_LIMITS, type OpenPgpLimits } from '../src/limits';
import {
  type TestSigner,
  bytesOf,
  encryptArmored,
  encryptBinary,
  makeSigner,
} from '../src/testing/openpgp-fixtures';

const LIMITS = DEFAULT_OPENPGP_LIMITS;
const LETTER = bytesOf('Melding om vedtak');

let platform: PlatformKey;
let signer: TestSigner;
let message: Uint8Array;
let armored: string;

beforeAll(async () => {
  platform = await readPlatformKey((await generatePlatformKey('Postkasse')).privateKeyArmored);
  signer = await makeSigner('curve25519');
  message = await encryptBinary(LETTER, { to: platform.key, signers: [signer.privateKey] });
  armored = await encryptArmored(LETTER, { to: platform.key, signers: [signer.privateKey] });
});

function failure(action: () => unknown): OpenPgpError {
  try {
    action();
  } catch (error) {
    if (error instanceof OpenPgpError) return error;
    throw error;
  }
  throw new Error('expected an OpenPgpError');
}

async function rejection(promise: Promise<unknown>): Promise<OpenPgpError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (error instanceof OpenPgpError) return error;
  throw new Error(`expected an OpenPgpError, got ${String(error)}`);
}

describe('decodeDocumentContent', () => {
  it('decodes standard base64 to the binary message', () => {
    const decoded = decodeDocumentContent(Buffer.from(message).toString('base64'), LIMITS);

    expect(Buffer.from(decoded)).toEqual(Buffer.from(message));
  });

  it('decodes ASCII armor to the same binary message openpgp reads from it', async () => {
    const decoded = decodeDocumentContent(armored, LIMITS);
    const viaOpenpgp = (await openpgp.unarmor(armored)).data as Uint8Array;

    expect(Buffer.from(decoded)).toEqual(Buffer.from(viaOpenpgp));
  });

  it('accepts armor with CRLF line ends, headers, a checksum and surrounding whitespace', () => {
    const base64 = Buffer.from(message).toString('base64');
    const lines = base64.match(/.{1,64}/g) ?? [];
    const content = [
      '',
      '-----BEGIN PGP MESSAGE-----',
      'Version: GnuPG v2',
      'Comment: a letter',
      '',
      ...lines,
      '=AAAA',
      '-----END PGP MESSAGE-----',
      '',
    ].join('\r\n');

    expect(Buffer.from(decodeDocumentContent(content, LIMITS))).toEqual(Buffer.from(message));
  });

  it.each([
    ['a character outside the alphabet', 'QUJD*EVG', 'not in the base64 alphabet'],
    ['a line break', 'QUJD\nREVG', 'whitespace or line break'],
    ['the URL-safe alphabet', 'QUJD_EVG', 'URL-safe'],
    ['missing padding', 'QUJDRA', 'not a multiple of 4'],
    ['padding in the middle', 'QQ==QUJD', '"=" padding in the middle'],
    ['set bits under a double "="', 'QR==', 'non-canonical'],
    ['set bits under a single "="', 'QUJ=', 'non-canonical'],
  ])('rejects base64 with %s', (_, content, reason) => {
    const error = failure(() => decodeDocumentContent(content, LIMITS));

    expect(error.code).toBe('openpgp.malformed');
    expect(error.detail).toContain(reason);
  });

  it('says that plain text is not an OpenPGP message, rather than complaining about base64', () => {
    const error = failure(() =>
      decodeDocumentContent('Dear citizen, your tax return is ready.', LIMITS),
    );

    expect(error.code).toBe('openpgp.malformed');
    expect(error.detail).toBe(
      'content is not an OpenPGP message: expected ASCII armor (-----BEGIN PGP MESSAGE-----) or ' +
        'base64 of the binary message (as base64: whitespace or line break at position 4; send ' +
        'base64 as one line without breaks)',
    );
  });

  it('says the same of plain text decoded while the request streamed in', () => {
    const decoder = new Base64Decoder(1_000);
    decoder.write(Buffer.from('Dear citizen'));

    const error = failure(() => streamedDocumentContent(decoder.end(), LIMITS));

    expect(error.detail.startsWith(`${NOT_OPENPGP} (as base64: whitespace`)).toBe(true);
  });

  it('rejects empty content', () => {
    expect(failure(() => decodeDocumentContent('', LIMITS)).code).toBe('openpgp.malformed');
  });

  it.each([
    ['a missing END line', (text: string) => text.replace('-----END PGP MESSAGE-----', '')],
    ['text after the END line', (text: string) => `${text}\nP.S. hello`],
    ['a second armored block', (text: string) => `${text}\n${text}`],
    ['a broken body', (text: string) => text.replace(/\n\n(.)/, '\n\n!$1')],
  ])('rejects armor with %s', (_, damage) => {
    const error = failure(() => decodeDocumentContent(damage(armored), LIMITS));

    expect(error.code).toBe('openpgp.malformed');
  });

  it('rejects an armored public key with a detail naming what it got', () => {
    const error = failure(() => decodeDocumentContent(signer.entry.publicKeyArmored, LIMITS));

    expect(error.code).toBe('openpgp.malformed');
    expect(error.detail).toContain('got PGP PUBLIC KEY BLOCK');
  });

  it('rejects a cleartext-signed message as not encrypted', () => {
    const content =
      '-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nhello\n-----END PGP SIGNED MESSAGE-----';

    const error = failure(() => decodeDocumentContent(content, LIMITS));

    expect(error.detail).toContain('not encrypted');
  });

  it('rejects base64 whose decoded size would exceed the limit, judging by length alone', () => {
    const limits = { ...LIMITS, maxDocumentBytes: 30 };

    const error = failure(() => decodeDocumentContent('A'.repeat(44), limits));

    expect(error.code).toBe('openpgp.too_large');
  });

  it('accepts base64 that decodes to exactly the limit', () => {
    const limits = { ...LIMITS, maxDocumentBytes: 30 };

    expect(decodeDocumentContent('A'.repeat(40), limits)).toHaveLength(30);
  });

  it('rejects armor far longer than any document within the limit before parsing it', () => {
    const limits = { ...LIMITS, maxDocumentBytes: 1024 };
    const huge = `-----BEGIN PGP MESSAGE-----\n\n${'QUJD\n'.repeat(10_000)}-----END PGP MESSAGE-----`;

    expect(failure(() => decodeDocumentContent(huge, limits)).code).toBe('openpgp.too_large');
  });
});

describe('inspectMessage', () => {
  it('accepts a signed message encrypted to the platform key', async () => {
    await expect(
      inspectMessage(message, platform.encryptionKeyIds, LIMITS),
    ).resolves.toBeUndefined();
  });

  it('accepts a message addressed with the wildcard key id', async () => {
    const wildcard = await encryptBinary(LETTER, { to: platform.key, wildcard: true });

    await expect(
      inspectMessage(wildcard, platform.encryptionKeyIds, LIMITS),
    ).resolves.toBeUndefined();
  });

  it('accepts key ids given in upper case', async () => {
    const upper = platform.encryptionKeyIds.map((id) => id.toUpperCase());

    await expect(inspectMessage(message, upper, LIMITS)).resolves.toBeUndefined();
  });

  it('rejects a message encrypted only to other keys, naming them', async () => {
    const other = await makeSigner('curve25519');
    const elsewhere = await encryptBinary(LETTER, { to: other.privateKey.toPublic() });
    const otherSubkey = other.privateKey.subkeys[0]?.getKeyID().toHex() ?? '';

    const error = await rejection(inspectMessage(elsewhere, platform.encryptionKeyIds, LIMITS));

    expect(error.code).toBe('openpgp.not_encrypted_to_platform');
    expect(error.detail).toContain(otherSubkey);
  });

  it('rejects a message encrypted with a password only', async () => {
    const withPassword = await openpgp.encrypt({
      message: await openpgp.createMessage({ binary: LETTER }),
      passwords: 'secret',
      format: 'binary',
    });

    const error = await rejection(inspectMessage(withPassword, platform.encryptionKeyIds, LIMITS));

    expect(error.code).toBe('openpgp.not_encrypted_to_platform');
  });

  it('rejects a signed but unencrypted message as malformed, saying it is not encrypted', async () => {
    const signedOnly = await openpgp.sign({
      message: await openpgp.createMessage({ binary: LETTER }),
      signingKeys: signer.privateKey,
      format: 'binary',
    });

    const error = await rejection(inspectMessage(signedOnly, platform.encryptionKeyIds, LIMITS));

    expect(error.code).toBe('openpgp.malformed');
    expect(error.detail).toContain('not encrypted');
  });

  it('rejects plain literal data as malformed', async () => {
    const literal = (await openpgp.createMessage({ binary: LETTER })).write() as Uint8Array;

    const error = await rejection(inspectMessage(literal, platform.encryptionKeyIds, LIMITS));

    expect(error.code).toBe('openpgp.malformed');
    expect(error.detail).toContain('not encrypted');
  });

  it('rejects a message with more top-level packets than allowed', async () => {
    const limits: OpenPgpLimits = { ...LIMITS, maxPackets: 4 };
    const marker = Uint8Array.from([0xca, 0x03, 0x50, 0x47, 0x50]);
    const padded = Buffer.concat([marker, marker, marker, marker, message]);

    const error = await rejection(inspectMessage(padded, platform.encryptionKeyIds, limits));

    expect(error.code).toBe('openpgp.too_many_packets');
  });

  it('rejects a message larger than the limit', async () => {
    const limits = { ...LIMITS, maxDocumentBytes: message.length - 1 };

    const error = await rejection(inspectMessage(message, platform.encryptionKeyIds, limits));

    expect(error.code).toBe('openpgp.too_large');
  });

  it('rejects a truncated message as malformed', async () => {
    const error = await rejection(
      inspectMessage(message.subarray(0, message.length - 1), platform.encryptionKeyIds, LIMITS),
    );

    expect(error.code).toBe('openpgp.malformed');
  });

  it('rejects bytes that are not OpenPGP as malformed', async () => {
    const error = await rejection(
      inspectMessage(bytesOf('%PDF-1.7'), platform.encryptionKeyIds, LIMITS),
    );

    expect(error.code).toBe('openpgp.malformed');
    expect(error.detail).toContain('not an OpenPGP packet header');
  });

  it('says that text which happens to be valid base64 is not an OpenPGP message', async () => {
    const bytes = decodeDocumentContent('brev', LIMITS);

    const error = await rejection(inspectMessage(bytes, platform.encryptionKeyIds, LIMITS));

    expect(error.detail).toBe(
      `${NOT_OPENPGP} (its first byte, 0x6e, is not an OpenPGP packet header)`,
    );
  });

  it('rejects an empty message as malformed', async () => {
    const error = await rejection(
      inspectMessage(new Uint8Array(), platform.encryptionKeyIds, LIMITS),
    );

    expect(error.code).toBe('openpgp.malformed');
  });

  it('rejects two encrypted data packets in a row as malformed', async () => {
    const doubled = Buffer.concat([message, message]);

    const error = await rejection(inspectMessage(doubled, platform.encryptionKeyIds, LIMITS));

    expect(error.code).toBe('openpgp.malformed');
  });
});
