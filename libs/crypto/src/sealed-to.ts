import { OpenPgpError } from './errors';
import { WILDCARD_KEY_ID, parseEncryptedMessage, recipientKeyIds } from './intake';
import type { OpenPgpLimits } from './limits';
import { PacketTag, scanPackets } from './packets';

// What a message sealed to named keys is made of at its top level: session keys for public
// keys, then one encrypted data packet. Markers and padding carry nothing.
const SESSION_KEY = PacketTag.publicKeyEncryptedSessionKey;
const ENCRYPTED = new Set<number>([
  PacketTag.symEncryptedIntegrityProtectedData,
  PacketTag.aeadEncryptedData,
]);
const IGNORABLE = new Set<number>([PacketTag.marker, PacketTag.padding]);

/**
 * Stricter than a letter's intake check, for what citizens send an agency (a reply): only
 * public-key session keys and one integrity-protected encrypted data packet at the top level, so
 * nothing travels in the clear beside the ciphertext (no literal data, no password-encrypted
 * session key), and at least one session key names one of `keyIds` outright (no wildcard: the
 * platform checks who can open it). Returns the key ids the message is encrypted to.
 */
export async function inspectSealedTo(
  bytes: Uint8Array,
  keyIds: readonly string[],
  limits: OpenPgpLimits,
): Promise<string[]> {
  // The checks of every encrypted message first: size, headers, the parse, a session key.
  const message = await parseEncryptedMessage(bytes, limits);
  const packets = scanPackets(bytes, limits.maxPackets).filter((p) => !IGNORABLE.has(p.tag));
  const last = packets[packets.length - 1];
  const stray = packets.slice(0, -1).find((p) => p.tag !== SESSION_KEY);
  if (!last || !ENCRYPTED.has(last.tag) || stray) {
    const tags = packets.map((p) => p.tag).join(', ');
    throw new OpenPgpError(
      'openpgp.malformed',
      `message must be public-key session keys followed by one encrypted data packet, and nothing else (packet tags ${tags})`,
    );
  }
  const recipients = recipientKeyIds(message);
  const wanted = new Set(keyIds.map((id) => id.toLowerCase()));
  if (!recipients.some((id) => wanted.has(id))) {
    throw new OpenPgpError(
      'openpgp.not_encrypted_to_recipient',
      `message is encrypted to key id(s) ${recipients.join(', ')}, not by key id to ${[...wanted].join(' or ')}` +
        (recipients.includes(WILDCARD_KEY_ID)
          ? ' (anonymous recipients are not accepted here)'
          : ''),
    );
  }
  return recipients;
}
