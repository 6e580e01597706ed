import { createHash } from 'node:crypto';

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
  checkCanonical(body[body.length - 1], padding);
  return Buffer.from(text, 'base64');
}

/**
 * The bits after the last full byte must be zero, otherwise two different strings would decode
 * to the same bytes.
 */
function checkCanonical(lastBeforePadding: string | undefined, padding: number): void {
  if (padding === 0) return;
  const last = ALPHABET.indexOf(lastBeforePadding ?? 'A');
  const spareBits = padding === 2 ? 0b1111 : 0b11;
  if ((last & spareBits) !== 0) {
    throw new Base64FormatError('non-canonical encoding: unused bits before the padding are set');
  }
}

/** What a streamed base64 value came to: its bytes and their SHA-256, or why it was refused. */
export type DecodedBase64 =
  { bytes: Buffer; sha256: Buffer } | { tooLarge: number } | { invalid: Base64FormatError };

/** Each byte's value in the standard alphabet; 64 for "=", 255 for anything else. */
const VALUES = new Uint8Array(256).fill(255);
for (let i = 0; i < ALPHABET.length; i++) VALUES[ALPHABET.charCodeAt(i)] = i;
VALUES[0x3d] = 64;

/**
 * `decodeBase64Strict` for text that arrives in pieces, as bytes: the same rules and messages,
 * but the text is never held, not even as a JavaScript string (60 MB of short-lived strings
 * per letter kept the young generation at its largest). Each piece is decoded and hashed as it
 * comes; past `maxBytes` the bytes are no longer kept, only counted.
 */
export class Base64Decoder {
  private chars = 0;
  private padding = 0;
  private quad = 0;
  private inQuad = 0;
  private last = 0;
  private failure: Base64FormatError | null = null;
  private decoded = 0;
  /**
   * Room for the largest document, written straight into: the operating system backs only the
   * pages written, so a small document costs what it holds, and a large one is never copied
   * from blocks into one buffer at the end.
   */
  private out: Buffer | null;
  private readonly hash = createHash('sha256');

  constructor(private readonly maxBytes: number) {
    this.out = Buffer.allocUnsafeSlow(maxBytes);
  }

  write(piece: Uint8Array): void {
    if (this.failure) {
      this.chars += piece.length;
      return;
    }
    const from = this.decoded;
    for (let i = 0; i < piece.length; i++) {
      const value = VALUES[piece[i]];
      const at = this.chars++;
      if (value === 64 && this.padding < 2) {
        this.padding += 1;
      } else if (this.padding > 0) {
        return this.fail(`"=" padding in the middle, at position ${at - this.padding}`);
      } else if (value === 255) {
        // Outside ASCII, the character the UTF-8 starting here encodes, as a string would show it.
        const char =
          piece[i] < 0x80
            ? String.fromCharCode(piece[i])
            : Buffer.from(piece.subarray(i, i + 4)).toString('utf8')[0];
        return this.fail(describeCharacter(char, at));
      } else {
        this.last = value;
        this.quad = (this.quad << 6) | value;
        if (++this.inQuad === 4) this.emit(3);
      }
    }
    if (this.out && this.decoded > from) this.hash.update(this.out.subarray(from, this.decoded));
  }

  end(): DecodedBase64 {
    if (!this.failure && this.chars % 4 !== 0) {
      this.fail(`length ${this.chars} is not a multiple of 4 (missing "=" padding or truncated)`);
    }
    if (!this.failure) {
      try {
        checkCanonical(ALPHABET[this.last], this.padding);
      } catch (error) {
        this.failure = error as Base64FormatError;
      }
    }
    if (this.failure) return { invalid: this.failure };
    const from = this.decoded;
    if (this.inQuad > 0) {
      // Two characters before "==" carry one byte, three before "=" two.
      this.quad <<= 6 * (4 - this.inQuad);
      this.emit(this.inQuad - 1);
    }
    if (!this.out) return { tooLarge: this.decoded };
    if (this.decoded > from) this.hash.update(this.out.subarray(from, this.decoded));
    const bytes = this.out.subarray(0, this.decoded);
    this.out = null;
    return { bytes, sha256: this.hash.digest() };
  }

  private emit(count: number): void {
    const quad = this.quad;
    this.quad = 0;
    this.inQuad = 0;
    const at = this.decoded;
    this.decoded += count;
    if (!this.out) return;
    if (this.decoded > this.maxBytes) {
      this.out = null;
      return;
    }
    this.out[at] = quad >>> 16;
    if (count > 1) this.out[at + 1] = (quad >>> 8) & 0xff;
    if (count > 2) this.out[at + 2] = quad & 0xff;
  }

  private fail(reason: string): void {
    this.failure = new Base64FormatError(reason);
    this.out = null;
  }
}

function describeBadCharacter(body: string): string {
  for (let i = 0; i < body.length; i++) {
    const char = body[i] ?? '';
    if (!ALPHABET.includes(char)) return describeCharacter(char, i);
  }
  return 'invalid base64';
}

function describeCharacter(char: string, i: number): string {
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
