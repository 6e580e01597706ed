import * as openpgp from 'openpgp';

async function readSigningPrivateKey(
  armoredKey: string,
  passphrase?: string,
): Promise<openpgp.PrivateKey> {
  const key = await openpgp.readPrivateKey({ armoredKey });
  return passphrase ? openpgp.decryptKey({ privateKey: key, passphrase }) : key;
}

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
  const signingKeys = await readSigningPrivateKey(keys.signingPrivateKey, keys.passphrase);
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

/**
 * An end-to-end document (DESIGN "End-to-end letters"): signed and encrypted to the citizen's
 * own key, which the platform cannot open, so it also carries the agency's detached signature
 * over the ciphertext bytes, which the worker verifies instead. Both base64 of binary OpenPGP.
 */
export async function encryptAndSignForRecipient(
  plaintext: Uint8Array,
  keys: { recipientPublicKey: string; signingPrivateKey: string; passphrase?: string },
): Promise<{ content: string; signature: string }> {
  const signingKeys = await readSigningPrivateKey(keys.signingPrivateKey, keys.passphrase);
  const ciphertext = await openpgp.encrypt({
    message: await openpgp.createMessage({ binary: plaintext }),
    encryptionKeys: await openpgp.readKey({ armoredKey: keys.recipientPublicKey }),
    signingKeys,
    format: 'binary',
  });
  const signature = await openpgp.sign({
    message: await openpgp.createMessage({ binary: ciphertext }),
    signingKeys,
    detached: true,
    format: 'binary',
  });
  return {
    content: Buffer.from(ciphertext).toString('base64'),
    signature: Buffer.from(signature).toString('base64'),
  };
}
