import * as openpgp from 'openpgp';

/**
 * What an agency's system does with a document: sign with its key and encrypt to the platform
 * key. Used by the CLI's `letter send`, the demo seed, the tests and the benchmark.
 */
export async function encryptAndSignForPlatform(
  plaintext: Uint8Array,
  keys: { platformPublicKey: string; signingPrivateKey: string; passphrase?: string },
  options: { armor?: boolean } = {},
): Promise<string> {
  const encryptionKeys = await openpgp.readKey({ armoredKey: keys.platformPublicKey });
  let signingKeys = await openpgp.readPrivateKey({ armoredKey: keys.signingPrivateKey });
  if (keys.passphrase) {
    signingKeys = await openpgp.decryptKey({
      privateKey: signingKeys,
      passphrase: keys.passphrase,
    });
  }
  const message = await openpgp.createMessage({ binary: plaintext });
  if (options.armor === false) {
    const binary = await openpgp.encrypt({
      message,
      encryptionKeys,
      signingKeys,
      format: 'binary',
    });
    return Buffer.from(binary).toString('base64');
  }
  return openpgp.encrypt({ message, encryptionKeys, signingKeys, format: 'armored' });
}
