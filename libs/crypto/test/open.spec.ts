import * as openpgp from 'openpgp';

import { OpenPgpError } from '../src/errors';
import { generatePlatformKey, readPlatformKey, type PlatformKey } from '../src/keys';
import { DEFAULT_OPENPGP_LIMITS, type OpenPgpLimits } from '../src/limits';
import { openDocument, verifyDetachedSignature } from '../src/open';
import { scanPackets } from '../src/packets';
import {
  type TestSigner,
  bytesOf,
  detachedSignature,
  encryptArmored,
  encryptBinary,
  encryptPackets,
  literalPacket,
  makeSigner,
  registryEntry,
  signaturePacket,
} from '../src/testing/openpgp-fixtures';

const LETTER = bytesOf('Vedtak om bostøtte\n\nDu har fått innvilget bostøtte.\n');

let platform: PlatformKey;
let otherPlatform: PlatformKey;
let ecc: TestSigner;
let rsa: TestSigner;
let stranger: TestSigner;

beforeAll(async () => {
  [platform, otherPlatform, ecc, rsa, stranger] = await Promise.all([
    generatePlatformKey('Postkasse').then((key) => readPlatformKey(key.privateKeyArmored)),
    generatePlatformKey('Elsewhere').then((key) => readPlatformKey(key.privateKeyArmored)),
    makeSigner('curve25519'),
    makeSigner('rsa3072'),
    makeSigner('curve25519'),
  ]);
});

function open(
  bytes: Uint8Array,
  agencyKeys = [ecc.entry, rsa.entry],
  limits: OpenPgpLimits = DEFAULT_OPENPGP_LIMITS,
  at = new Date(),
) {
  return openDocument(bytes, { platformKey: platform.key, agencyKeys, at, limits });
}

async function rejection(promise: Promise<unknown>): Promise<OpenPgpError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof OpenPgpError)) {
    throw new Error(`expected an OpenPgpError, got ${String(error)}`);
  }
  return error;
}

describe('openDocument', () => {
  it('opens a binary message signed with a Curve25519 key', async () => {
    const message = await encryptBinary(LETTER, { to: platform.key, signers: [ecc.privateKey] });

    const opened = await open(message);

    expect(Buffer.from(opened.plaintext)).toEqual(Buffer.from(LETTER));
    expect(opened.signerFingerprint).toBe(ecc.entry.fingerprint);
  });

  it('opens an armored message signed with an RSA-3072 key', async () => {
    const armored = await encryptArmored(LETTER, { to: platform.key, signers: [rsa.privateKey] });

    const opened = await open(bytesOf(armored));

    expect(Buffer.from(opened.plaintext)).toEqual(Buffer.from(LETTER));
    expect(opened.signerFingerprint).toBe(rsa.entry.fingerprint);
  });

  it.each(['zip', 'zlib'] as const)('opens a %s-compressed message', async (compression) => {
    const message = await encryptBinary(LETTER, {
      to: platform.key,
      signers: [ecc.privateKey],
      compression,
    });

    const opened = await open(message);

    expect(Buffer.from(opened.plaintext)).toEqual(Buffer.from(LETTER));
  });

  it('opens a message whose recipient key id is hidden behind the wildcard', async () => {
    const message = await encryptBinary(LETTER, {
      to: platform.key,
      signers: [ecc.privateKey],
      wildcard: true,
    });

    const opened = await open(message);

    expect(opened.signerFingerprint).toBe(ecc.entry.fingerprint);
  });

  it('opens a message given as base64 text', async () => {
    const message = await encryptBinary(LETTER, { to: platform.key, signers: [ecc.privateKey] });

    const opened = await open(bytesOf(Buffer.from(message).toString('base64')));

    expect(Buffer.from(opened.plaintext)).toEqual(Buffer.from(LETTER));
  });

  it('returns a detached signature that still verifies against the plaintext later', async () => {
    const message = await encryptBinary(LETTER, {
      to: platform.key,
      signers: [rsa.privateKey],
      compression: 'zlib',
    });

    const opened = await open(message);
    const verification = await openpgp.verify({
      message: await openpgp.createMessage({ binary: opened.plaintext }),
      signature: await openpgp.readSignature({ binarySignature: opened.detachedSignature }),
      verificationKeys: await openpgp.readKey({ armoredKey: rsa.entry.publicKeyArmored }),
      expectSigned: true,
      format: 'binary',
    });

    expect(verification.signatures).toHaveLength(1);
    await expect(verification.signatures[0]?.verified).resolves.toBe(true);
  });

  it('accepts a message signed by the agency and by someone else, naming the agency key', async () => {
    const message = await encryptBinary(LETTER, {
      to: platform.key,
      signers: [stranger.privateKey, ecc.privateKey],
    });

    const opened = await open(message);

    expect(opened.signerFingerprint).toBe(ecc.entry.fingerprint);
  });

  it('accepts a key that was revoked only after the time of sending', async () => {
    const message = await encryptBinary(LETTER, { to: platform.key, signers: [ecc.privateKey] });
    const sentAt = new Date();
    const revokedLater = { ...ecc.entry, revokedAt: new Date(sentAt.getTime() + 60_000) };

    const opened = await open(message, [revokedLater], DEFAULT_OPENPGP_LIMITS, sentAt);

    expect(opened.signerFingerprint).toBe(ecc.entry.fingerprint);
  });

  it('rejects an unsigned message as not signed', async () => {
    const message = await encryptBinary(LETTER, { to: platform.key });

    const error = await rejection(open(message));

    expect(error.code).toBe('openpgp.not_signed');
  });

  it('rejects an unsigned message as not signed even when the agency has no valid key', async () => {
    const message = await encryptBinary(LETTER, { to: platform.key });

    const error = await rejection(open(message, []));

    expect(error.code).toBe('openpgp.not_signed');
  });

  it('rejects a message signed by a key that is not the agency’s, naming its key id', async () => {
    const message = await encryptBinary(LETTER, {
      to: platform.key,
      signers: [stranger.privateKey],
    });
    const keyId = stranger.privateKey.getKeyID().toHex();

    const error = await rejection(open(message));

    expect(error.code).toBe('openpgp.unknown_signer');
    expect(error.detail).toContain(keyId);
  });

  it('rejects a signature by an agency key that was revoked before the time of sending', async () => {
    const message = await encryptBinary(LETTER, { to: platform.key, signers: [ecc.privateKey] });
    const sentAt = new Date();
    const revoked = { ...ecc.entry, revokedAt: new Date(sentAt.getTime() - 1000) };

    const error = await rejection(
      open(message, [revoked, rsa.entry], DEFAULT_OPENPGP_LIMITS, sentAt),
    );

    expect(error.code).toBe('openpgp.unknown_signer');
    expect(error.detail).toContain(`agency key ${ecc.entry.fingerprint}, which was revoked at`);
  });

  it('rejects a signature by an agency key registered only after the time of sending', async () => {
    const message = await encryptBinary(LETTER, { to: platform.key, signers: [ecc.privateKey] });
    const sentAt = new Date();
    const later = { ...ecc.entry, addedAt: new Date(sentAt.getTime() + 1000) };

    const error = await rejection(open(message, [later], DEFAULT_OPENPGP_LIMITS, sentAt));

    expect(error.code).toBe('openpgp.unknown_signer');
    expect(error.detail).toContain('was only registered at');
  });

  it('checks a key added again after its revocation against each of its validity intervals', async () => {
    const message = await encryptBinary(LETTER, { to: platform.key, signers: [ecc.privateKey] });
    const now = Date.now();
    const history = [
      { ...ecc.entry, addedAt: new Date(now - 60_000), revokedAt: new Date(now - 40_000) },
      { ...ecc.entry, addedAt: new Date(now - 20_000), revokedAt: null },
    ];

    const inGap = await rejection(
      open(message, history, DEFAULT_OPENPGP_LIMITS, new Date(now - 30_000)),
    );
    const inFirst = await open(message, history, DEFAULT_OPENPGP_LIMITS, new Date(now - 50_000));
    const inSecond = await open(message, history, DEFAULT_OPENPGP_LIMITS, new Date(now - 10_000));

    expect(inGap.code).toBe('openpgp.unknown_signer');
    expect(inGap.detail).toContain(
      `was registered from ${history[0]!.addedAt.toISOString()} until ${history[0]!.revokedAt!.toISOString()}, then from ${history[1]!.addedAt.toISOString()}`,
    );
    expect(inFirst.signerFingerprint).toBe(ecc.entry.fingerprint);
    expect(inSecond.signerFingerprint).toBe(ecc.entry.fingerprint);
  });

  it('rejects a signature made with SHA-1 as a weak algorithm', async () => {
    const literal = await literalPacket(LETTER);
    const signature = await signaturePacket(rsa.privateKey, literal, 'sha1');
    const message = await encryptPackets([signature, literal], platform.key);

    const error = await rejection(open(message));

    expect(error.code).toBe('openpgp.weak_algorithm');
    expect(error.detail).toContain('SHA1');
  });

  it('rejects a signature that was made over other content', async () => {
    const signature = await signaturePacket(
      ecc.privateKey,
      await literalPacket(bytesOf('other')),
      'sha256',
    );
    const message = await encryptPackets([signature, await literalPacket(LETTER)], platform.key);

    const error = await rejection(open(message));

    expect(error.code).toBe('openpgp.bad_signature');
  });

  it('rejects a compression bomb once decompression passes the limit', async () => {
    const zeros = new Uint8Array(100 * 1024 * 1024);
    const bomb = await encryptBinary(zeros, {
      to: platform.key,
      signers: [ecc.privateKey],
      compression: 'zlib',
    });
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const limits = { ...DEFAULT_OPENPGP_LIMITS, maxDecompressedBytes: 1024 * 1024 };

    const error = await rejection(open(bomb, [ecc.entry], limits));

    expect(error.code).toBe('openpgp.decompressed_too_large');
  });

  it('rejects a message encrypted to another key without trying to decrypt it', async () => {
    const message = await encryptBinary(LETTER, {
      to: otherPlatform.key,
      signers: [ecc.privateKey],
    });

    const error = await rejection(open(message));

    expect(error.code).toBe('openpgp.not_encrypted_to_platform');
  });

  it('rejects a wildcard message that the platform key cannot decrypt', async () => {
    const message = await encryptBinary(LETTER, {
      to: otherPlatform.key,
      signers: [ecc.privateKey],
      wildcard: true,
    });

    const error = await rejection(open(message));

    expect(error.code).toBe('openpgp.decryption_failed');
  });

  it('rejects a truncated message as malformed', async () => {
    const message = await encryptBinary(LETTER, { to: platform.key, signers: [ecc.privateKey] });

    const error = await rejection(open(message.subarray(0, message.length - 10)));

    expect(error.code).toBe('openpgp.malformed');
    expect(error.detail).toContain('truncated');
  });

  it('rejects a message with a flipped bit in the encrypted data as failed decryption', async () => {
    const message = await encryptBinary(LETTER, { to: platform.key, signers: [ecc.privateKey] });
    const flipped = Uint8Array.from(message);
    flipped[flipped.length - 30] = (flipped[flipped.length - 30] ?? 0) ^ 0x01;

    const error = await rejection(open(flipped));

    expect(error.code).toBe('openpgp.decryption_failed');
  });

  it('rejects every single-bit change to the encrypted data packet', async () => {
    const message = await encryptBinary(LETTER, { to: platform.key, signers: [ecc.privateKey] });
    const [, encryptedData] = scanPackets(message, 8);
    const codes = new Set<string>();

    for (let i = encryptedData?.offset ?? 0; i < message.length; i += 2) {
      const corrupted = Uint8Array.from(message);
      corrupted[i] = (corrupted[i] ?? 0) ^ (1 << (i % 8));
      codes.add((await rejection(open(corrupted))).code);
    }

    expect([...codes].sort()).toEqual(['openpgp.decryption_failed', 'openpgp.malformed']);
  });

  it('never yields anything but the original letter from a corrupted message', async () => {
    const message = await encryptBinary(LETTER, { to: platform.key, signers: [ecc.privateKey] });
    const outcomes = new Set<string>();

    for (let i = 0; i < message.length; i += 2) {
      const corrupted = Uint8Array.from(message);
      corrupted[i] = (corrupted[i] ?? 0) ^ 0x80;
      const outcome = await open(corrupted).then(
        // X25519 ignores the top bit of a point, so a few flips in the session key packet
        // still lead to the same session key; they must then yield the very same letter.
        (opened) => Buffer.from(opened.plaintext).equals(Buffer.from(LETTER)) && 'same letter',
        (error: unknown) => error instanceof OpenPgpError && 'rejected',
      );
      outcomes.add(String(outcome));
    }

    expect([...outcomes].filter((outcome) => outcome !== 'same letter')).toEqual(['rejected']);
  });

  it('gives up with a timeout when opening takes longer than the limit', async () => {
    const message = await encryptBinary(LETTER, { to: platform.key, signers: [rsa.privateKey] });
    // Reliable even for so small a message: decryption waits on Node's crypto thread pool
    // at least once, and by then a 0 ms timer has fired.

    const error = await rejection(
      open(message, undefined, { ...DEFAULT_OPENPGP_LIMITS, timeoutMs: 0 }),
    );

    expect(error.code).toBe('openpgp.timeout');
  });
});

describe('verifyDetachedSignature', () => {
  const ciphertext = bytesOf('-----BEGIN PGP MESSAGE-----\n\nend-to-end ciphertext\n');

  it.each(['binary', 'armored'] as const)(
    'accepts an agency’s %s detached signature over the ciphertext',
    async (format) => {
      const signature = await detachedSignature(ciphertext, rsa.privateKey, format);

      const result = await verifyDetachedSignature(
        ciphertext,
        signature,
        [ecc.entry, rsa.entry],
        new Date(),
      );

      expect(result.signerFingerprint).toBe(rsa.entry.fingerprint);
    },
  );

  it('rejects a signature over different bytes as a bad signature', async () => {
    const signature = await detachedSignature(bytesOf('something else'), ecc.privateKey);

    const error = await rejection(
      verifyDetachedSignature(ciphertext, signature, [ecc.entry], new Date()),
    );

    expect(error.code).toBe('openpgp.bad_signature');
  });

  it('rejects a signature by a stranger’s key as an unknown signer', async () => {
    const signature = await detachedSignature(ciphertext, stranger.privateKey);

    const error = await rejection(
      verifyDetachedSignature(ciphertext, signature, [ecc.entry], new Date()),
    );

    expect(error.code).toBe('openpgp.unknown_signer');
  });

  it('rejects a signature by an agency key revoked before the time of sending', async () => {
    const signature = await detachedSignature(ciphertext, ecc.privateKey);
    const at = new Date();
    const revoked = { ...ecc.entry, revokedAt: new Date(at.getTime() - 1) };

    const error = await rejection(verifyDetachedSignature(ciphertext, signature, [revoked], at));

    expect(error.code).toBe('openpgp.unknown_signer');
    expect(error.detail).toContain('revoked');
  });

  it('rejects a SHA-1 detached signature as a weak algorithm', async () => {
    const literal = await literalPacket(ciphertext);
    const packet = await signaturePacket(rsa.privateKey, literal, 'sha1', true);
    const list = new openpgp.PacketList<openpgp.SignaturePacket>();
    list.push(packet);
    const signature = new openpgp.Signature(list).write() as Uint8Array;

    const error = await rejection(
      verifyDetachedSignature(ciphertext, signature, [rsa.entry], new Date()),
    );

    expect(error.code).toBe('openpgp.weak_algorithm');
  });

  it('rejects bytes that are not a signature as malformed', async () => {
    const error = await rejection(
      verifyDetachedSignature(ciphertext, bytesOf('not a signature'), [ecc.entry], new Date()),
    );

    expect(error.code).toBe('openpgp.malformed');
  });

  it('fails loudly when a stored agency key does not match its fingerprint', async () => {
    const signature = await detachedSignature(ciphertext, ecc.privateKey);
    const mixedUp = { ...registryEntry(ecc.privateKey), fingerprint: rsa.entry.fingerprint };

    await expect(
      verifyDetachedSignature(ciphertext, signature, [mixedUp], new Date()),
    ).rejects.toThrow(/actually has fingerprint/);
  });
});
