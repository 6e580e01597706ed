import * as openpgp from 'openpgp';

import { OpenPgpError } from '../src/errors';
import { generatePlatformKey, readPlatformKey, readSigningKey } from '../src/keys';
import { makeSigner } from '../src/testing/openpgp-fixtures';

async function rejection(promise: Promise<unknown>): Promise<OpenPgpError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (error instanceof OpenPgpError) return error;
  throw new Error(`expected an OpenPgpError, got ${String(error)}`);
}

async function ecc(options: { passphrase?: string; date?: Date; keyExpirationTime?: number } = {}) {
  return openpgp.generateKey({
    type: 'ecc',
    curve: 'curve25519Legacy',
    userIDs: [{ name: 'Agency' }],
    format: 'armored',
    ...options,
  });
}

describe('generatePlatformKey', () => {
  it('makes a v4 key with a legacy EdDSA primary key and a Curve25519 ECDH subkey', async () => {
    const generated = await generatePlatformKey('Postkasse');
    const key = await openpgp.readPrivateKey({ armoredKey: generated.privateKeyArmored });

    expect(key.keyPacket.version).toBe(4);
    expect(key.getAlgorithmInfo()).toMatchObject({
      algorithm: 'eddsaLegacy',
      curve: 'ed25519Legacy',
    });
    expect(key.subkeys.map((subkey) => subkey.getAlgorithmInfo())).toEqual([
      expect.objectContaining({ algorithm: 'ecdh', curve: 'curve25519Legacy' }),
    ]);
    expect(key.isDecrypted()).toBe(true);
    expect(generated.fingerprint).toMatch(/^[0-9a-f]{40}$/);
    expect(generated.fingerprint).toBe(key.getFingerprint());
  });

  it('publishes a public key that holds no secret material', async () => {
    const generated = await generatePlatformKey('Postkasse');
    const key = await openpgp.readKey({ armoredKey: generated.publicKeyArmored });

    expect(key.isPrivate()).toBe(false);
    expect(generated.publicKeyArmored).toContain('BEGIN PGP PUBLIC KEY BLOCK');
  });
});

describe('readPlatformKey', () => {
  it('reads the key and lists the key id of its encryption subkey', async () => {
    const generated = await generatePlatformKey('Postkasse');

    const platform = await readPlatformKey(generated.privateKeyArmored);

    expect(platform.fingerprint).toBe(generated.fingerprint);
    expect(platform.encryptionKeyIds).toEqual([platform.key.subkeys[0]?.getKeyID().toHex()]);
    expect(platform.encryptionKeyIds[0]).toMatch(/^[0-9a-f]{16}$/);
  });

  it('unlocks a passphrase-protected key when given the passphrase', async () => {
    const { privateKey } = await ecc({ passphrase: 'correct horse' });

    const platform = await readPlatformKey(privateKey, 'correct horse');

    expect(platform.key.isDecrypted()).toBe(true);
  });

  it('rejects a passphrase-protected key without a passphrase as malformed', async () => {
    const { privateKey } = await ecc({ passphrase: 'correct horse' });

    const error = await rejection(readPlatformKey(privateKey));

    expect(error.code).toBe('openpgp.malformed');
    expect(error.detail).toContain('passphrase');
  });

  it('rejects a public key as malformed', async () => {
    const { publicKey } = await ecc();

    expect((await rejection(readPlatformKey(publicKey))).code).toBe('openpgp.malformed');
  });

  it('rejects junk as malformed', async () => {
    expect((await rejection(readPlatformKey('hello'))).code).toBe('openpgp.malformed');
  });
});

describe('readSigningKey', () => {
  it('returns the fingerprint and the re-armored public key', async () => {
    const { publicKey } = await ecc();
    const key = await openpgp.readKey({ armoredKey: publicKey });

    const signing = await readSigningKey(publicKey);

    expect(signing.fingerprint).toBe(key.getFingerprint());
    expect((await openpgp.readKey({ armoredKey: signing.armored })).getFingerprint()).toBe(
      signing.fingerprint,
    );
  });

  it('keeps only the public part of a private key given by mistake', async () => {
    const { privateKey } = await ecc();

    const signing = await readSigningKey(privateKey);

    expect(signing.armored).toContain('BEGIN PGP PUBLIC KEY BLOCK');
    expect((await openpgp.readKey({ armoredKey: signing.armored })).isPrivate()).toBe(false);
  });

  it('rejects junk as malformed', async () => {
    expect((await rejection(readSigningKey('not a key'))).code).toBe('openpgp.malformed');
  });

  it('rejects an armored block holding two keys as malformed', async () => {
    const [first, second] = await Promise.all([makeSigner('curve25519'), makeSigner('curve25519')]);
    const armored = openpgp.armor(
      openpgp.enums.armor.publicKey,
      Buffer.concat([first.privateKey.toPublic().write(), second.privateKey.toPublic().write()]),
    );

    const error = await rejection(readSigningKey(armored));

    expect(error.code).toBe('openpgp.malformed');
    expect(error.detail).toContain('exactly one key');
  });

  it('rejects an RSA key shorter than 2048 bits as a weak algorithm', async () => {
    const { publicKey } = await openpgp.generateKey({
      type: 'rsa',
      rsaBits: 1024,
      userIDs: [{ name: 'Old agency' }],
      config: { minRSABits: 1024 },
    });

    const error = await rejection(readSigningKey(publicKey));

    expect(error.code).toBe('openpgp.weak_algorithm');
    expect(error.detail).toContain('1024');
  });

  it('rejects an expired key as unable to sign', async () => {
    const { publicKey } = await ecc({ date: new Date(Date.now() - 60_000), keyExpirationTime: 1 });

    const error = await rejection(readSigningKey(publicKey));

    expect(error.code).toBe('openpgp.unusable_key');
    expect(error.detail).toContain('expired');
  });

  it('rejects a revoked key as unable to sign', async () => {
    const { privateKey } = await ecc();
    const { publicKey } = await openpgp.revokeKey({
      key: await openpgp.readPrivateKey({ armoredKey: privateKey }),
    });

    const error = await rejection(readSigningKey(publicKey));

    expect(error.code).toBe('openpgp.unusable_key');
    expect(error.detail).toContain('revoked');
  });
});
