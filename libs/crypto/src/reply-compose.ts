import * as openpgp from 'openpgp';

/** The keys a reply is sealed with, as the client holds them (armored). */
export interface ReplyKeys {
  /** The agency's encryption key, from `GET /v1/agencies`. */
  agencyPublicKey: string;
  /** The writer's own public key, when they have one: they can read what they sent. */
  ownPublicKey?: string;
  /** The writer's unlocked private key, when they have one: the agency can tell who wrote. */
  signingKey?: openpgp.PrivateKey;
}

/**
 * One document of a reply as the citizen's client makes it (issue 18): encrypted to the agency's
 * key and, when given, to the writer's own key, and signed with the writer's key, in the form the
 * API takes (`inspectSealedTo`: public-key session keys and one encrypted data packet, nothing in
 * the clear). Armored. Only openpgp.js and Uint8Array: it runs in a browser as it does here.
 */
export async function sealReplyDocument(plaintext: Uint8Array, keys: ReplyKeys): Promise<string> {
  const recipients = [keys.agencyPublicKey, ...(keys.ownPublicKey ? [keys.ownPublicKey] : [])];
  const encryptionKeys = await Promise.all(
    recipients.map((armoredKey) => openpgp.readKey({ armoredKey })),
  );
  return openpgp.encrypt({
    message: await openpgp.createMessage({ binary: plaintext }),
    encryptionKeys,
    ...(keys.signingKey ? { signingKeys: keys.signingKey } : {}),
    format: 'armored',
  });
}
