import { OpenPgpError } from './errors';

export const PacketTag = {
  publicKeyEncryptedSessionKey: 1,
  signature: 2,
  symEncryptedSessionKey: 3,
  onePassSignature: 4,
  secretKey: 5,
  publicKey: 6,
  compressedData: 8,
  symmetricallyEncryptedData: 9,
  marker: 10,
  literalData: 11,
  symEncryptedIntegrityProtectedData: 18,
  aeadEncryptedData: 20,
  padding: 21,
} as const;

// Only these may be split into partial body chunks (RFC 9580 4.2.1.4).
const PARTIAL_ALLOWED = new Set<number>([
  PacketTag.compressedData,
  PacketTag.symmetricallyEncryptedData,
  PacketTag.literalData,
  PacketTag.symEncryptedIntegrityProtectedData,
  PacketTag.aeadEncryptedData,
]);

export interface PacketHeader {
  tag: number;
  offset: number;
  /** Body bytes, summed over partial chunks. */
  length: number;
}

/**
 * Walks packet headers only, without allocating packet objects, so that a message made of a
 * million tiny packets is refused before openpgp builds a million objects for it.
 */
export function scanPackets(bytes: Uint8Array, maxPackets: number): PacketHeader[] {
  const packets: PacketHeader[] = [];
  let pos = 0;

  const need = (count: number, what: string): void => {
    if (pos + count > bytes.length) {
      throw new OpenPgpError(
        'openpgp.malformed',
        `message is truncated: ${what} at offset ${pos} needs ${count} bytes, ${bytes.length - pos} left`,
      );
    }
  };
  const byte = (): number => bytes[pos++] ?? 0;
  const uint32 = (): number => ((byte() << 24) | (byte() << 16) | (byte() << 8) | byte()) >>> 0;

  while (pos < bytes.length) {
    if (packets.length >= maxPackets) {
      throw new OpenPgpError(
        'openpgp.too_many_packets',
        `message has more than ${maxPackets} top-level packets`,
      );
    }
    const offset = pos;
    const ctb = byte();
    if ((ctb & 0x80) === 0) {
      throw new OpenPgpError(
        'openpgp.malformed',
        `byte 0x${ctb.toString(16).padStart(2, '0')} at offset ${offset} is not an OpenPGP packet header`,
      );
    }
    const newFormat = (ctb & 0x40) !== 0;
    const tag = newFormat ? ctb & 0x3f : (ctb >> 2) & 0x0f;
    if (tag === 0) {
      throw new OpenPgpError('openpgp.malformed', `reserved packet tag 0 at offset ${offset}`);
    }

    let length = 0;
    if (newFormat) {
      for (;;) {
        need(1, 'a packet length');
        const first = byte();
        let chunk: number;
        let partial = false;
        if (first < 192) {
          chunk = first;
        } else if (first < 224) {
          need(1, 'a packet length');
          chunk = ((first - 192) << 8) + byte() + 192;
        } else if (first === 255) {
          need(4, 'a packet length');
          chunk = uint32();
        } else {
          chunk = 1 << (first & 0x1f);
          partial = true;
          if (!PARTIAL_ALLOWED.has(tag)) {
            throw new OpenPgpError(
              'openpgp.malformed',
              `packet tag ${tag} at offset ${offset} uses a partial length, which it may not`,
            );
          }
        }
        need(chunk, `the body of packet tag ${tag}`);
        pos += chunk;
        length += chunk;
        if (!partial) break;
      }
    } else {
      const lengthType = ctb & 0x03;
      if (lengthType === 3) {
        // Indeterminate length: the packet runs to the end of the input.
        length = bytes.length - pos;
      } else {
        const size = [1, 2, 4][lengthType] ?? 1;
        need(size, 'a packet length');
        length = size === 1 ? byte() : size === 2 ? (byte() << 8) | byte() : uint32();
      }
      need(length, `the body of packet tag ${tag}`);
      pos += length;
    }
    packets.push({ tag, offset, length });
  }
  return packets;
}
