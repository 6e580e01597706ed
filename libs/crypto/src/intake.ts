import * as openpgp from 'openpgp';

import { ArmorFormatError, looksArmored, unarmor } from './armor';
import {
  Base64FormatError,
  type DecodedBase64,
  base64LengthFor,
  decodeBase64Strict,
  decodedBase64Length,
} from './base64';
import { describeError } from './error-mapping';
import { OpenPgpError } from './errors';
import type { OpenPgpLimits } from './limits';
import { strictConfig } from './openpgp-config';
import { PacketTag, scanPackets } from './packets';

export const WILDCARD_KEY_ID = '0000000000000000';

// Room for armor lines, headers and line breaks (64 or 76 characters a line) on top of the
// base64 itself, so that the cheap length check never refuses a document that would fit.
const ARMOR_OVERHEAD_RATIO = 1.05;
const ARMOR_OVERHEAD_CHARS = 16 * 1024;

/**
 * What a sender who put the letter's text (or a file) in `content` reads: the reason the bytes
 * are not base64, or not a packet, would send them looking at the wrong thing.
 */
export const NOT_OPENPGP =
  'content is not an OpenPGP message: expected ASCII armor (-----BEGIN PGP MESSAGE-----) or base64 of the binary message';

const ENCRYPTED_DATA = new Set<number>([
  PacketTag.symEncryptedIntegrityProtectedData,
  PacketTag.aeadEncryptedData,
]);

/**
 * Turns a document's `content` (ASCII armor or one-line standard base64) into the binary
 * message, refusing oversized input by its length before decoding it.
 */
export function decodeDocumentContent(content: string, limits: OpenPgpLimits): Uint8Array {
  if (content.length === 0) {
    throw new OpenPgpError('openpgp.malformed', 'content is empty');
  }
  const maxBase64 = base64LengthFor(limits.maxDocumentBytes);
  const armored = looksArmored(content);
  if (armored) {
    const maxArmored = Math.ceil(maxBase64 * ARMOR_OVERHEAD_RATIO) + ARMOR_OVERHEAD_CHARS;
    if (content.length > maxArmored) throw tooLarge(`${content.length} armored characters`, limits);
  }
  const base64 = armored ? unarmorMessage(content) : content;
  if (base64.length > maxBase64 || decodedBase64Length(base64) > limits.maxDocumentBytes) {
    throw tooLarge(`${base64.length} base64 characters`, limits);
  }
  const form = armored ? 'armored message' : 'content';
  let decoded: Buffer;
  try {
    decoded = decodeBase64Strict(base64);
  } catch (error) {
    if (!(error instanceof Base64FormatError)) throw error;
    throw armored
      ? new OpenPgpError('openpgp.malformed', `${form} is not valid base64: ${error.reason}`)
      : notBase64(error);
  }
  if (decoded.length === 0) {
    throw new OpenPgpError('openpgp.malformed', `${form} decodes to nothing`);
  }
  return new Uint8Array(decoded.buffer, decoded.byteOffset, decoded.byteLength);
}

/**
 * `decodeDocumentContent` for base64 content that was decoded while the request streamed in
 * (see `Base64Decoder`): the same refusals, and the SHA-256 taken on the way.
 */
export function streamedDocumentContent(
  decoded: DecodedBase64,
  limits: OpenPgpLimits,
): { bytes: Uint8Array; sha256: Buffer } {
  if ('tooLarge' in decoded) throw tooLarge(`${decoded.tooLarge} bytes`, limits);
  if ('invalid' in decoded) throw notBase64(decoded.invalid);
  const { bytes, sha256 } = decoded;
  if (bytes.length === 0) throw new OpenPgpError('openpgp.malformed', 'content decodes to nothing');
  return { bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), sha256 };
}

/**
 * The API-side check: structure, size and recipients only, without any private key, so a
 * document that can never be opened is refused while the sender is still connected.
 */
export async function inspectMessage(
  bytes: Uint8Array,
  platformKeyIds: string[],
  limits: OpenPgpLimits,
): Promise<void> {
  await readEncryptedMessage(bytes, platformKeyIds, limits);
}

/** inspectMessage's checks, handing back the parsed message for the caller to decrypt. */
export async function readEncryptedMessage(
  bytes: Uint8Array,
  platformKeyIds: string[],
  limits: OpenPgpLimits,
): Promise<openpgp.Message<Uint8Array>> {
  const message = await parseEncryptedMessage(bytes, limits);
  const recipients = recipientKeyIds(message);
  const accepted = new Set(platformKeyIds.map((id) => id.toLowerCase()));
  if (!recipients.some((id) => id === WILDCARD_KEY_ID || accepted.has(id))) {
    throw new OpenPgpError(
      'openpgp.not_encrypted_to_platform',
      `message is encrypted to key id(s) ${recipients.join(', ')}, but the platform's encryption ` +
        `key id is ${[...accepted].join(' or ')}`,
    );
  }
  return message;
}

/**
 * The checks of every encrypted message, whoever it is for: size, packet headers, encrypted
 * with integrity protection, parsed within the limits, at least one public-key session key.
 */
export async function parseEncryptedMessage(
  bytes: Uint8Array,
  limits: OpenPgpLimits,
): Promise<openpgp.Message<Uint8Array>> {
  if (bytes.length === 0) {
    throw new OpenPgpError('openpgp.malformed', 'message is empty');
  }
  if (bytes.length > limits.maxDocumentBytes) {
    throw tooLarge(`${bytes.length} bytes`, limits);
  }
  const first = bytes[0] ?? 0;
  if ((first & 0x80) === 0) {
    // Every OpenPGP packet header has its top bit set; text that happened to be valid base64
    // ("Test", "brev") decodes to bytes that do not.
    throw new OpenPgpError(
      'openpgp.malformed',
      `${NOT_OPENPGP} (its first byte, 0x${first.toString(16).padStart(2, '0')}, is not an OpenPGP packet header)`,
    );
  }
  const tags = scanPackets(bytes, limits.maxPackets).map((packet) => packet.tag);

  // Decided from the headers alone, before openpgp would decompress an unencrypted message.
  if (tags.includes(PacketTag.symmetricallyEncryptedData)) {
    throw new OpenPgpError(
      'openpgp.malformed',
      'message uses the obsolete Symmetrically Encrypted Data packet without integrity protection',
    );
  }
  if (!tags.some((tag) => ENCRYPTED_DATA.has(tag))) {
    throw new OpenPgpError(
      'openpgp.malformed',
      `message is not encrypted (${describeUnencrypted(tags)})`,
    );
  }

  let message: openpgp.Message<Uint8Array>;
  try {
    message = await openpgp.readMessage({ binaryMessage: bytes, config: strictConfig(limits) });
  } catch (error) {
    throw new OpenPgpError(
      'openpgp.malformed',
      `message cannot be parsed: ${describeError(error)}`,
    );
  }

  if (recipientKeyIds(message).length === 0) {
    throw new OpenPgpError(
      'openpgp.not_encrypted_to_platform',
      'message has no public-key encrypted session key (password-only encryption is not accepted)',
    );
  }
  return message;
}

/** The key ids of a message's public-key session keys (the wildcard for an anonymous one). */
export function recipientKeyIds(message: openpgp.Message<Uint8Array>): string[] {
  const ids: string[] = [];
  for (const packet of message.packets) {
    if (!(packet instanceof openpgp.PublicKeyEncryptedSessionKeyPacket)) continue;
    // Present on v3 and v6 PKESK packets (wildcard for anonymous recipients) but missing
    // from openpgp's type declarations.
    const keyId = (packet as unknown as { publicKeyID?: openpgp.KeyID }).publicKeyID;
    ids.push(keyId ? keyId.toHex() : WILDCARD_KEY_ID);
  }
  return ids;
}

function describeUnencrypted(tags: number[]): string {
  if (tags.includes(PacketTag.onePassSignature) || tags.includes(PacketTag.signature)) {
    return 'it is only signed; sign and encrypt it to the platform key';
  }
  if (tags.includes(PacketTag.publicKey) || tags.includes(PacketTag.secretKey)) {
    return 'it is a key, not a message';
  }
  if (tags.includes(PacketTag.literalData) || tags.includes(PacketTag.compressedData)) {
    return 'it is plain literal data';
  }
  return `no encrypted data packet among packet tags ${tags.join(', ')}`;
}

function unarmorMessage(content: string): string {
  let armor;
  try {
    armor = unarmor(content);
  } catch (error) {
    if (!(error instanceof ArmorFormatError)) throw error;
    throw new OpenPgpError('openpgp.malformed', `armor is malformed: ${error.reason}`);
  }
  if (armor.type === 'SIGNED MESSAGE') {
    throw new OpenPgpError(
      'openpgp.malformed',
      'a cleartext-signed message is not encrypted; sign and encrypt it to the platform key',
    );
  }
  if (armor.type !== 'MESSAGE') {
    throw new OpenPgpError(
      'openpgp.malformed',
      `expected an armored PGP MESSAGE, got PGP ${armor.type}`,
    );
  }
  return armor.base64;
}

/** Neither armor nor base64: most likely the document itself; the base64 reason comes after. */
function notBase64(error: Base64FormatError): OpenPgpError {
  return new OpenPgpError('openpgp.malformed', `${NOT_OPENPGP} (as base64: ${error.reason})`);
}

function tooLarge(size: string, limits: OpenPgpLimits): OpenPgpError {
  return new OpenPgpError(
    'openpgp.too_large',
    `message of ${size} exceeds the limit of ${limits.maxDocumentBytes} bytes`,
  );
}
