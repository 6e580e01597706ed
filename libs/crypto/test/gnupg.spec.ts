import * as openpgp from 'openpgp';

import type { AgencySigningKey } from '../src/agency-keys';
import { OpenPgpError } from '../src/errors';
import { decodeDocumentContent, inspectMessage } from '../src/intake';
import {
  generatePlatformKey,
  readPlatformKey,
  readSigningKey,
  type PlatformKey,
} from '../src/keys';
import { DEFAULT_OPENPGP_LIMITS } from '../src/limits';
import { openDocument } from '../src/open';
import { GnuPG, gpgAvailable } from '../src/testing/gnupg';
import { LONG_AGO, bytesOf } from '../src/testing/openpgp-fixtures';

const LETTER = bytesOf('Innkalling til time hos fastlegen\r\nTirsdag kl. 10:15\r\n');

const describeWithGpg = gpgAvailable() ? describe : describe.skip;

describeWithGpg('documents made by GnuPG', () => {
  let gpg: GnuPG;
  let platform: PlatformKey;
  let platformFingerprint: string;
  const agencyKeys: AgencySigningKey[] = [];

  beforeAll(async () => {
    gpg = new GnuPG();
    const generated = await generatePlatformKey('Postkasse');
    platform = await readPlatformKey(generated.privateKeyArmored);
    platformFingerprint = generated.fingerprint;
    gpg.importKey(generated.publicKeyArmored);
    for (const [email, algo] of [
      ['ed25519@agency.example', 'ed25519'],
      ['rsa@agency.example', 'rsa3072'],
    ] as const) {
      const key = gpg.generateSigningKey(email, algo);
      const registered = await readSigningKey(key.publicKeyArmored);
      agencyKeys.push({
        fingerprint: registered.fingerprint,
        publicKeyArmored: registered.armored,
        addedAt: LONG_AGO,
        revokedAt: null,
      });
    }
  });

  afterAll(() => gpg.dispose());

  const signers = [
    ['a Curve25519 (legacy EdDSA) key', 'ed25519@agency.example', 0],
    ['an RSA-3072 key', 'rsa@agency.example', 1],
  ] as const;
  const variants = [
    ['a binary message', []],
    ['an armored message', ['--armor']],
    ['an uncompressed message', ['--compress-algo', 'none']],
    ['a zlib-compressed message', ['--compress-algo', 'zlib']],
    ['a bzip2-compressed message', ['--compress-algo', 'bzip2']],
    ['a message with wildcard key ids (--throw-keyids)', ['--throw-keyids']],
  ] as const;

  describe.each(signers)('signed with %s', (_, signer, index) => {
    it.each(variants)('opens %s', async (variant, extra) => {
      const output = gpg.encryptAndSign(LETTER, platformFingerprint, signer, [...extra]);
      const content =
        variant === 'an armored message'
          ? Buffer.from(output).toString('ascii')
          : Buffer.from(output).toString('base64');
      const bytes = decodeDocumentContent(content, DEFAULT_OPENPGP_LIMITS);
      await inspectMessage(bytes, platform.encryptionKeyIds, DEFAULT_OPENPGP_LIMITS);

      const opened = await openDocument(bytes, {
        platformKey: platform.key,
        agencyKeys,
        at: new Date(),
        limits: DEFAULT_OPENPGP_LIMITS,
      });

      expect(Buffer.from(opened.plaintext)).toEqual(Buffer.from(LETTER));
      expect(opened.signerFingerprint).toBe(agencyKeys[index]?.fingerprint);
    });
  });

  it.each([
    ['a binary', []],
    ['a --textmode', ['--textmode']],
  ])('keeps a detached signature of %s GnuPG message that verifies later', async (_, extra) => {
    const output = gpg.encryptAndSign(LETTER, platformFingerprint, 'rsa@agency.example', extra);
    const opened = await openDocument(output, {
      platformKey: platform.key,
      agencyKeys,
      at: new Date(),
      limits: DEFAULT_OPENPGP_LIMITS,
    });

    const verification = await openpgp.verify({
      message: await openpgp.createMessage({ binary: opened.plaintext }),
      signature: await openpgp.readSignature({ binarySignature: opened.detachedSignature }),
      verificationKeys: await openpgp.readKey({
        armoredKey: agencyKeys[1]?.publicKeyArmored ?? '',
      }),
      expectSigned: true,
      format: 'binary',
    });

    await expect(verification.signatures[0]?.verified).resolves.toBe(true);
  });

  it('rejects a GnuPG message signed with SHA-1 as a weak algorithm', async () => {
    const output = gpg.encryptAndSign(LETTER, platformFingerprint, 'rsa@agency.example', [
      '--digest-algo',
      'SHA1',
    ]);

    const error = await openDocument(output, {
      platformKey: platform.key,
      agencyKeys,
      at: new Date(),
      limits: DEFAULT_OPENPGP_LIMITS,
    }).catch((reason: unknown) => reason);

    expect(error).toBeInstanceOf(OpenPgpError);
    expect((error as OpenPgpError).code).toBe('openpgp.weak_algorithm');
  });
});
