import { randomBytes } from 'node:crypto';
import { BodyReadError } from './body-read-error';

/** Takes the UTF-8 bytes of one JSON string value as they arrive, escapes resolved. */
export interface StringSink<T> {
  write(bytes: Uint8Array): void;
  end(): T;
}

/**
 * A string value taken out of the JSON as it streams in: at `path` (object keys, and `*` for
 * any array element), when its first character is one of `startsWith`. Anything else at that
 * path (armor, say) stays in the JSON as text.
 */
export interface StreamedString<T> {
  path: readonly string[];
  startsWith: RegExp;
  open: () => StringSink<T>;
}

interface Frame {
  array: boolean;
  key: string | null;
  expectKey: boolean;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const MAX_KEY = 64;
const ESCAPES: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

/**
 * Splits a JSON body into the small rest, parsed with JSON.parse at the end, and the large
 * string values `streamed` names, which go to their sinks while the body arrives and are
 * replaced in the rest by a placeholder only this request knows. A letter near the 60 MB limit
 * is then held once, decoded, instead of as bytes, text, parsed strings and decoded bytes.
 * The scanner follows strings and nesting only; JSON.parse judges everything else, and the
 * placeholders keep the structure the body had.
 */
export class JsonStreamSplitter<T> {
  private readonly nonce = randomBytes(12).toString('hex');
  private readonly rest: Buffer[] = [];
  private readonly frames: Frame[] = [];
  readonly taken = new Map<string, T>();
  private mode: 'outside' | 'string' | 'candidate' | 'streamed' = 'outside';
  private isKey = false;
  private key: number[] | null = null;
  private escape: string | null = null;
  private sink: StringSink<T> | null = null;
  private placeholder = '';

  constructor(private readonly streamed: StreamedString<T>) {}

  write(chunk: Buffer): void {
    let from = 0;
    let i = 0;
    while (i < chunk.length) {
      if (this.mode === 'outside') {
        const byte = chunk[i];
        if (byte === QUOTE) {
          this.keepRest(chunk, from, i);
          from = i + 1;
          this.openString();
        } else this.structure(byte);
        i += 1;
      } else if (this.mode === 'candidate') {
        // Decided by the value's first character, which may come in the next chunk.
        if (this.streamed.startsWith.test(String.fromCharCode(chunk[i]))) {
          this.placeholder = `${this.nonce}:${this.taken.size}`;
          this.rest.push(Buffer.from(JSON.stringify(this.placeholder)));
          this.sink = this.streamed.open();
          this.mode = 'streamed';
        } else {
          this.rest.push(Buffer.from('"'));
          this.mode = 'string';
        }
      } else if (this.mode === 'string') {
        i = this.scanString(chunk, i);
      } else {
        i = this.scanStreamed(chunk, i);
        from = i;
      }
    }
    if (this.mode !== 'streamed' && this.mode !== 'candidate') this.keepRest(chunk, from, i);
  }

  /** The JSON without the streamed values, as text for JSON.parse. */
  end(): string {
    if (this.mode !== 'outside') throw malformed('the body ends inside a string');
    return Buffer.concat(this.rest).toString('utf8');
  }

  private keepRest(chunk: Buffer, from: number, to: number): void {
    // A copy: a view would keep the whole 64 KB chunk alive for a few bytes of it.
    if (to > from) this.rest.push(Buffer.from(chunk.subarray(from, to)));
  }

  private openString(): void {
    const top = this.frames.at(-1);
    this.isKey = top !== undefined && !top.array && top.expectKey;
    this.key = this.isKey ? [] : null;
    this.mode = !this.isKey && this.atStreamedPath() ? 'candidate' : 'string';
    if (this.mode === 'string') this.rest.push(Buffer.from('"'));
  }

  private closeString(): void {
    if (!this.isKey) return;
    const top = this.frames.at(-1)!;
    top.key = this.key ? Buffer.from(this.key).toString('latin1') : null;
  }

  private structure(byte: number): void {
    const top = this.frames.at(-1);
    switch (byte) {
      case 0x7b: // {
        this.frames.push({ array: false, key: null, expectKey: true });
        break;
      case 0x5b: // [
        this.frames.push({ array: true, key: null, expectKey: false });
        break;
      case 0x7d: // }
      case 0x5d: // ]
        this.frames.pop();
        break;
      case 0x3a: // :
        if (top && !top.array) top.expectKey = false;
        break;
      case 0x2c: // ,
        if (top && !top.array) top.expectKey = true;
        break;
    }
  }

  private atStreamedPath(): boolean {
    const path = this.streamed.path;
    if (this.frames.length !== path.length) return false;
    return path.every((step, depth) => {
      const frame = this.frames[depth];
      return step === '*' ? frame.array : !frame.array && frame.key === step;
    });
  }

  /** Through a string that stays in the JSON; only a key's first bytes are remembered. */
  private scanString(chunk: Buffer, start: number): number {
    let i = start;
    while (i < chunk.length) {
      if (this.escape !== null) {
        this.escape = null;
        this.key = null; // an escaped key is never a streamed path
        i += 1;
        continue;
      }
      // Past a key's first bytes only quotes and escapes matter: a long text is skipped natively.
      if (!this.key) i = nextQuoteOrEscape(chunk, i);
      if (i === chunk.length) return i;
      const byte = chunk[i];
      if (byte === QUOTE) {
        this.mode = 'outside';
        this.closeString();
        return i + 1;
      }
      if (byte === BACKSLASH) this.escape = '';
      else if (this.key) {
        this.key.push(byte);
        if (this.key.length > MAX_KEY) this.key = null;
      }
      i += 1;
    }
    return i;
  }

  /** Through a streamed string: runs between escapes go to the sink as they are. */
  private scanStreamed(chunk: Buffer, start: number): number {
    let i = start;
    while (i < chunk.length) {
      if (this.escape !== null) {
        i = this.readEscape(chunk, i);
        continue;
      }
      const stop = nextQuoteOrEscape(chunk, i);
      if (stop > i) this.sink!.write(chunk.subarray(i, stop));
      if (stop === chunk.length) return stop;
      if (chunk[stop] === QUOTE) {
        this.taken.set(this.placeholder, this.sink!.end());
        this.sink = null;
        this.mode = 'outside';
        return stop + 1;
      }
      this.escape = '';
      i = stop + 1;
    }
    return i;
  }

  private readEscape(chunk: Buffer, i: number): number {
    const char = String.fromCharCode(chunk[i]);
    const escape = this.escape! + char;
    if (escape.startsWith('u')) {
      if (escape.length > 1 && !/[0-9a-f]/i.test(char)) throw malformed('bad \\u escape');
      this.escape = escape;
      if (escape.length < 5) return i + 1;
      this.sink!.write(Buffer.from(String.fromCharCode(parseInt(escape.slice(1), 16))));
    } else if (ESCAPES[escape] !== undefined) {
      this.sink!.write(Buffer.from(ESCAPES[escape]));
    } else throw malformed(`bad escape \\${char}`);
    this.escape = null;
    return i + 1;
  }
}

/**
 * The next quote or backslash. Where each was last found in this chunk is remembered, so a
 * chunk of many short strings is not searched to its end again for every one of them.
 */
const found = { chunk: null as Buffer | null, quote: -1, backslash: -1 };
function nextQuoteOrEscape(chunk: Buffer, from: number): number {
  if (found.chunk !== chunk) Object.assign(found, { chunk, quote: -1, backslash: -1 });
  if (found.quote < from) found.quote = indexOrEnd(chunk, QUOTE, from);
  if (found.backslash < from) found.backslash = indexOrEnd(chunk, BACKSLASH, from);
  return Math.min(found.quote, found.backslash);
}

function indexOrEnd(chunk: Buffer, byte: number, from: number): number {
  const at = chunk.indexOf(byte, from);
  return at === -1 ? chunk.length : at;
}

function malformed(message: string): BodyReadError {
  return new BodyReadError(400, 'entity.parse.failed', message);
}
