import * as openpgp from 'openpgp';

/**
 * End-to-end encryption in the browser. The private key is made or imported here and leaves
 * the browser only encrypted with the citizen's passphrase (OpenPGP's own S2K protection), so
 * the platform stores a copy it cannot use. Loaded only when needed: openpgp.js is large.
 */
export async function generateKey(name: string, passphrase: string) {
  const { privateKey, publicKey } = await openpgp.generateKey({
    type: 'ecc',
    curve: 'curve25519Legacy',
    userIDs: [{ name: name || 'Postkasse' }],
    passphrase,
    format: 'armored',
    config: { v6Keys: false },
  });
  return {
    publicKey,
    encryptedPrivateKey: privateKey,
    fingerprint: await fingerprintOf(publicKey),
  };
}

/** An existing key: it is (re-)protected with the passphrase before anything is sent. */
export async function importKey(armored: string, passphrase: string, currentPassphrase?: string) {
  let key = await openpgp.readPrivateKey({ armoredKey: armored });
  if (!key.isDecrypted()) {
    key = await openpgp.decryptKey({
      privateKey: key,
      passphrase: currentPassphrase ?? passphrase,
    });
  }
  await key.getDecryptionKeys();
  const encrypted = await openpgp.encryptKey({ privateKey: key, passphrase });
  const publicKey = key.toPublic().armor();
  return { publicKey, encryptedPrivateKey: encrypted.armor(), fingerprint: key.getFingerprint() };
}

export async function fingerprintOf(publicKey: string): Promise<string> {
  return (await openpgp.readKey({ armoredKey: publicKey })).getFingerprint();
}

export async function unlock(encryptedPrivateKey: string, passphrase: string) {
  const key = await openpgp.readPrivateKey({ armoredKey: encryptedPrivateKey });
  return openpgp.decryptKey({ privateKey: key, passphrase });
}

export interface Decrypted {
  data: Uint8Array;
  signature: 'valid' | 'invalid';
  signer: string | null;
}

/** Decrypts one document and checks the agency's signature inside it against its keys. */
export async function decryptDocument(
  ciphertext: Uint8Array,
  privateKey: openpgp.PrivateKey,
  senderKeys: string[],
): Promise<Decrypted> {
  const message = await readMessage(ciphertext);
  const verificationKeys = await Promise.all(
    senderKeys.map((armoredKey) => openpgp.readKey({ armoredKey })),
  );
  const result = await openpgp.decrypt({
    message,
    decryptionKeys: privateKey,
    verificationKeys,
    format: 'binary',
  });
  let signature: Decrypted['signature'] = 'invalid';
  let signer: string | null = null;
  for (const s of result.signatures) {
    try {
      await s.verified;
      signature = 'valid';
      const key = verificationKeys.find((k) => k.getKeys(s.keyID).length > 0);
      signer = key?.getFingerprint() ?? s.keyID.toHex();
      break;
    } catch {
      // try the next signature
    }
  }
  return { data: result.data as Uint8Array, signature, signer };
}

async function readMessage(bytes: Uint8Array) {
  if (bytes.length > 0 && bytes[0]! >= 0x80) return openpgp.readMessage({ binaryMessage: bytes });
  return openpgp.readMessage({ armoredMessage: new TextDecoder().decode(bytes) });
}

/**
 * A document of a reply: encrypted to the agency's key (and to the citizen's own, so that they
 * can read what they sent), signed with the citizen's key when they unlocked it. The platform
 * carries it without ever seeing it in clear.
 */
export async function encryptForAgency(
  data: Uint8Array,
  filename: string,
  recipientKeys: string[],
  signingKey: openpgp.PrivateKey | null,
): Promise<string> {
  const encryptionKeys = await Promise.all(
    recipientKeys.map((armoredKey) => openpgp.readKey({ armoredKey })),
  );
  const message = await openpgp.createMessage({ binary: data, filename, format: 'binary' });
  return openpgp.encrypt({
    message,
    encryptionKeys,
    ...(signingKey ? { signingKeys: signingKey } : {}),
    format: 'armored',
  });
}
