import { OpenPgpError } from '../src/errors';
import { scanPackets } from '../src/packets';

const body = (length: number): number[] => Array.from({ length }, () => 0x42);

function failure(bytes: number[], maxPackets = 64): OpenPgpError {
  try {
    scanPackets(Uint8Array.from(bytes), maxPackets);
  } catch (error) {
    if (error instanceof OpenPgpError) return error;
    throw error;
  }
  throw new Error('expected an OpenPgpError');
}

describe('scanPackets', () => {
  it('reads new-format headers with one-, two- and five-octet lengths', () => {
    const bytes = [
      ...[0xc1, 5, ...body(5)],
      ...[0xd2, 0xc0, 0x08, ...body(200)],
      ...[0xcb, 0xff, 0, 0, 0, 3, ...body(3)],
    ];

    const packets = scanPackets(Uint8Array.from(bytes), 64);

    expect(packets.map(({ tag, length }) => [tag, length])).toEqual([
      [1, 5],
      [18, 200],
      [11, 3],
    ]);
  });

  it('counts a data packet split into partial body chunks as one packet', () => {
    // 512-byte partial chunk, 1-byte partial chunk, then a final 2-byte chunk.
    const bytes = [0xd2, 0xe9, ...body(512), 0xe0, ...body(1), 2, ...body(2)];

    expect(scanPackets(Uint8Array.from(bytes), 1)).toEqual([{ tag: 18, offset: 0, length: 515 }]);
  });

  it('reads old-format headers, including the indeterminate length', () => {
    const bytes = [0x84, 2, ...body(2), 0x85, 0, 1, ...body(1), 0xa3, ...body(7)];

    const packets = scanPackets(Uint8Array.from(bytes), 64);

    expect(packets.map(({ tag, length }) => [tag, length])).toEqual([
      [1, 2],
      [1, 1],
      [8, 7],
    ]);
  });

  it('refuses a partial length on a packet that may not have one', () => {
    expect(failure([0xc1, 0xe9, ...body(512), 1, 0]).detail).toContain('partial length');
  });

  it('refuses a packet whose body runs past the end', () => {
    expect(failure([0xc1, 10, ...body(9)]).detail).toContain('truncated');
  });

  it('refuses a header cut off inside its length', () => {
    expect(failure([0xd2, 0xff, 0, 0]).detail).toContain('truncated');
  });

  it('refuses a byte without the packet header bit', () => {
    expect(failure([0x41, 1, 0]).detail).toContain('not an OpenPGP packet header');
  });

  it('refuses the reserved packet tag 0', () => {
    expect(failure([0xc0, 0]).code).toBe('openpgp.malformed');
  });

  it('stops counting as soon as the packet limit is passed', () => {
    const marker = [0xca, 3, 0x50, 0x47, 0x50];

    expect(failure([...marker, ...marker, ...marker], 2).code).toBe('openpgp.too_many_packets');
  });
});
