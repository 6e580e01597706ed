import { sha256 } from '../src/hash';

describe('sha256', () => {
  it('hashes bytes to the known digest', () => {
    expect(sha256(new Uint8Array()).toString('hex')).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
  });

  it('hashes a string as its UTF-8 bytes', () => {
    expect(sha256('blåbær')).toEqual(sha256(Buffer.from('blåbær', 'utf8')));
    expect(sha256('abc').toString('hex')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });
});
