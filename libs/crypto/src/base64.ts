const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const BODY = /^[A-Za-z0-9+/]*$/;

/** Why a string is not strict, canonical, padded standard base64. */
export class Base64FormatError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'Base64FormatError';
  }
}

/** Exact decoded length of well-formed padded base64, known without decoding anything. */
export function decodedBase64Length(text: string): number {
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return (text.length / 4) * 3 - padding;
}

/** Upper bound on the characters of padded base64 that encode at most `bytes` bytes. */
export function base64LengthFor(bytes: number): number {
  return Math.ceil(bytes / 3) * 4;
}

/**
 * Node's decoder skips characters it does not know and accepts missing padding, so a damaged
 * upload would quietly turn into different bytes. Everything is validated first.
 */
export function decodeBase64Strict(text: string): Buffer {
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const body = text.slice(0, text.length - padding);
  if (!BODY.test(body)) {
    throw new Base64FormatError(describeBadCharacter(body));
  }
  if (text.length % 4 !== 0) {
    throw new Base64FormatError(
      `length ${text.length} is not a multiple of 4 (missing "=" padding or truncated)`,
    );
  }
  if (padding > 0) {
    // The bits after the last full byte must be zero, otherwise two different strings
    // would decode to the same bytes.
    const last = ALPHABET.indexOf(body[body.length - 1] ?? 'A');
    const spareBits = padding === 2 ? 0b1111 : 0b11;
    if ((last & spareBits) !== 0) {
      throw new Base64FormatError('non-canonical encoding: unused bits before the padding are set');
    }
  }
  return Buffer.from(text, 'base64');
}

function describeBadCharacter(body: string): string {
  for (let i = 0; i < body.length; i++) {
    const char = body[i] ?? '';
    if (ALPHABET.includes(char)) continue;
    if (char === '=') return `"=" padding in the middle, at position ${i}`;
    if (/\s/.test(char)) {
      return `whitespace or line break at position ${i}; send base64 as one line without breaks`;
    }
    if (char === '-' || char === '_') {
      return `"${char}" at position ${i}: the URL-safe alphabet is not accepted, use standard base64`;
    }
    const code = char.charCodeAt(0).toString(16).padStart(4, '0');
    return `character U+${code} at position ${i} is not in the base64 alphabet`;
  }
  return 'invalid base64';
}
