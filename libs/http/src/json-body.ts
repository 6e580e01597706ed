import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Readable, Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { NextFunction, Request, Response } from 'express';

/** Set on a request whose JSON body was read: the SHA-256 of its (decoded) bytes. */
export interface HashedBody {
  bodySha256?: Buffer;
}

/**
 * A body that could not be read. `type` and `status` follow body-parser's errors, which the
 * problem filter already turns into 413 (`entity.too.large`) or 400.
 */
export class BodyReadError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

const DECOMPRESSORS: Record<string, () => Transform> = {
  gzip: createGunzip,
  'x-gzip': createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

const UTF8 = /^utf-?8$/i;
const JSON_WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const UTF8_BOM = [0xef, 0xbb, 0xbf] as const;
const EMPTY_SHA256 = createHash('sha256').digest();
const GROW_FROM = 64 * 1024;

export interface JsonBodyOptions {
  /** Bytes (after any Content-Encoding); larger bodies are refused with 413. */
  limit: number;
}

/**
 * Reads `application/json` bodies for every route. Unlike body-parser with `rawBody`, it never
 * keeps the raw bytes: the idempotency hash is taken while the body streams in, a declared
 * length over the limit is refused before anything is read, and a known length is read into one
 * buffer (no chunk list joined at the end). So a body near the limit is held twice at most
 * (bytes while decoding, then text while parsing), not four times.
 */
export function jsonBody(options: JsonBodyOptions) {
  return (req: Request & HashedBody, _res: Response, next: NextFunction): void => {
    if (!hasBody(req) || mediaType(req) !== 'application/json') return next();
    readJson(req, options.limit).then(
      ({ value, sha256 }) => {
        req.body = value;
        req.bodySha256 = sha256;
        next();
      },
      // Read off the rest, as body-parser does, so the client gets to see the answer.
      (error: unknown) => drain(req, () => next(error)),
    );
  };
}

/** The body's SHA-256, or that of no bytes when no JSON body was read. */
export function bodySha256(req: HashedBody): Buffer {
  return req.bodySha256 ?? EMPTY_SHA256;
}

async function readJson(req: IncomingMessage, limit: number) {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(req.headers['content-type'] ?? '')?.[1];
  if (charset !== undefined && !UTF8.test(charset)) {
    throw new BodyReadError(415, 'charset.unsupported', `unsupported charset "${charset}"`);
  }
  const source = decodedStream(req);
  const declared = source === req ? declaredLength(req) : undefined;
  if (declared !== undefined && declared > limit) throw tooLarge(declared, limit);
  const read = await collect(req, source, limit, declared);
  return { sha256: read.sha256, value: parseStrict(takeText(read)) };
}

function decodedStream(req: IncomingMessage): Readable {
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding === 'identity') return req;
  const make = DECOMPRESSORS[encoding];
  if (!make) {
    throw new BodyReadError(
      415,
      'encoding.unsupported',
      `unsupported content encoding "${encoding}"`,
    );
  }
  return req.pipe(make());
}

interface ReadBody {
  bytes: Buffer | null;
  sha256: Buffer;
}

function collect(
  req: IncomingMessage,
  source: Readable,
  limit: number,
  declared: number | undefined,
): Promise<ReadBody> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    // With the length known up front the bytes go into one buffer; otherwise (chunked or
    // compressed bodies) the chunks are joined once at the end. The buffer grows with what has
    // arrived rather than with what was declared, so a client that announces 60 MB and sends a
    // trickle makes the API hold only the trickle.
    let whole: Buffer | null =
      declared === undefined ? null : Buffer.allocUnsafeSlow(Math.min(declared, GROW_FROM));
    const chunks: Buffer[] = [];
    let received = 0;
    const settle = (outcome: () => void) => {
      source.off('data', onData).off('end', onEnd).off('error', onBadInput);
      req.off('error', onAborted).off('aborted', onAborted);
      outcome();
    };
    const fail = (error: BodyReadError) =>
      settle(() => {
        if (source !== req) {
          req.unpipe();
          source.on('error', () => undefined).destroy();
        }
        reject(error);
      });
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) return fail(tooLarge(received, limit));
      if (declared !== undefined && received > declared) return fail(lengthMismatch());
      hash.update(chunk);
      if (whole && received > whole.length) whole = grown(whole, received, declared!);
      if (whole) chunk.copy(whole, received - chunk.length);
      else chunks.push(chunk);
    };
    const onEnd = () => {
      if (whole && received !== declared) return fail(lengthMismatch());
      settle(() =>
        resolve({ bytes: whole ?? Buffer.concat(chunks, received), sha256: hash.digest() }),
      );
    };
    // A decompressor's error is bad input; the request's own is a client gone away.
    const onBadInput = (error: Error) =>
      fail(new BodyReadError(400, 'entity.parse.failed', error.message));
    const onAborted = () => fail(new BodyReadError(400, 'request.aborted', 'request aborted'));
    if (source !== req) source.on('error', onBadInput);
    source.on('data', onData).on('end', onEnd);
    req.on('error', onAborted).on('aborted', onAborted);
  });
}

/** At least twice the size, so copies stay amortised, and never past the declared length. */
function grown(buffer: Buffer, needed: number, declared: number): Buffer {
  const next = Buffer.allocUnsafeSlow(Math.min(declared, Math.max(needed, buffer.length * 2)));
  buffer.copy(next);
  return next;
}

/**
 * JSON.parse needs the whole text; the bytes are handed over here and dropped as soon as the
 * text exists, so that they can go before the parsed copy is made.
 */
function takeText(read: ReadBody): string {
  const bytes = read.bytes!;
  read.bytes = null;
  const hasBom = UTF8_BOM.every((b, i) => bytes[i] === b);
  return bytes.toString('utf8', hasBom ? UTF8_BOM.length : 0);
}

function parseStrict(text: string): unknown {
  // body-parser's `strict`: an empty body is {}, anything else must be an object or array.
  if (text.length === 0) return {};
  const first = firstSignificant(text);
  if (first !== '{' && first !== '[') {
    throw new BodyReadError(400, 'entity.parse.failed', 'JSON body must be an object or array');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new BodyReadError(400, 'entity.parse.failed', (error as Error).message);
  }
}

function firstSignificant(text: string): string | undefined {
  for (const char of text) if (!JSON_WHITESPACE.has(char)) return char;
  return undefined;
}

function hasBody(req: IncomingMessage): boolean {
  return (
    req.headers['transfer-encoding'] !== undefined || req.headers['content-length'] !== undefined
  );
}

function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

function declaredLength(req: IncomingMessage): number | undefined {
  if (req.headers['transfer-encoding'] !== undefined) return undefined;
  const length = Number(req.headers['content-length']);
  return Number.isSafeInteger(length) && length >= 0 ? length : undefined;
}

function tooLarge(size: number, limit: number): BodyReadError {
  return new BodyReadError(
    413,
    'entity.too.large',
    `request body of ${size} bytes or more exceeds the limit of ${limit} bytes`,
  );
}

function lengthMismatch(): BodyReadError {
  return new BodyReadError(
    400,
    'request.size.invalid',
    'request size did not match content length',
  );
}

function drain(req: IncomingMessage, done: () => void): void {
  req.unpipe();
  if (req.readableEnded || req.destroyed) return done();
  let called = false;
  const once = () => {
    if (!called) done();
    called = true;
  };
  req.once('end', once).once('close', once).resume();
}
