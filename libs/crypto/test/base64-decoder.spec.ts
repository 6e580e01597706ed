import { createHash, randomBytes } from 'node:crypto';
import { Base64Decoder, Base64FormatError, decodeBase64Strict } from '../src/base64';

function streamed(text: string, step: number, maxBytes = 1_000_000) {
  const decoder = new Base64Decoder(maxBytes);
  for (let i = 0; i < text.length; i += step) decoder.write(Buffer.from(text.slice(i, i + step)));
  return decoder.end();
}

function strictReason(text: string): string | undefined {
  try {
    decodeBase64Strict(text);
  } catch (error) {
    return (error as Base64FormatError).reason;
  }
  return undefined;
}

describe('the streaming base64 decoder', () => {
  it('gives the bytes and their SHA-256 however the text is cut', () => {
    for (const length of [1, 2, 3, 4, 5, 100, 196_609]) {
      const bytes = randomBytes(length);
      for (const step of [1, 3, 7, 1000, 70_000]) {
        expect(streamed(bytes.toString('base64'), step)).toEqual({
          bytes,
          sha256: createHash('sha256').update(bytes).digest(),
        });
      }
    }
  });

  it.each(['QUJ', 'QUJD=', 'QU=D', 'QUJ-', 'QUJD QUJD', 'QQ==QQ==', 'QUJ_', 'QR==', 'QUJ\u00e9'])(
    'refuses %j for the reason the strict decoder gives',
    (text) => {
      const outcome = streamed(text, 2);
      expect('invalid' in outcome && outcome.invalid.reason).toBe(strictReason(text));
    },
  );

  it('stops keeping bytes past its limit and says how many there were', () => {
    expect(streamed(randomBytes(30).toString('base64'), 8, 10)).toEqual({ tooLarge: 30 });
  });
});
