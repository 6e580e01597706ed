import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Readable, Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { NextFunction, Request, Response } from 'express';
import { BodyReadError } from './body-read-error';
import { JsonStreamSplitter, type StreamedString } from './json-stream';

export { BodyReadError };

/** Set on a request whose JSON body was read: the SHA-256 of its (decoded) bytes. */
export interface HashedBody {
  bodySha256?: Buffer;
  /** The string values taken out while the body streamed in, by their placeholders. */
  streamedValues?: ReadonlyMap<string, unknown>;
}

const DECOMPRESSORS: Record<string, () => Transform> = {
  gzip: createGunzip,
  'x-gzip': createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

const UTF8 = /^utf-?8$/i;
const JSON_WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const EMPTY_SHA256 = createHash('sha256').digest();
const GROW_FROM = 64 * 1024;

export interface JsonBodyOptions<T = unknown> {
  /** Bytes (after any Content-Encoding); larger bodies are refused with 413. */
  limit: number;
  /** String values decoded while the body streams in, instead of held as text. */
  streamed?: StreamedString<T>;
}

/**
 * Reads `application/json` bodies. Unlike body-parser with `rawBody`, it never keeps the raw
 * bytes: the idempotency hash is taken while the body streams in, a declared length over the
 * limit is refused before anything is read, and a known length is read into one buffer (no
 * chunk list joined at the end). So a body near the limit is held twice at most (bytes while
 * decoding, then text while parsing), not four times; with `streamed`, its large strings once.
 */
export function jsonBody(options: JsonBodyOptions) {
  return (req: Request & HashedBody, _res: Response, next: NextFunction): void => {
    if (!isJsonBody(req)) return next();
    readInto(req, options, next);
  };
}

/** Reads the body onto `req` and goes on; a body that cannot be read is read off first. */
export function readInto(
  req: Request & HashedBody,
  options: JsonBodyOptions,
  next: NextFunction,
): void {
  readJson(req, options).then(
    ({ value, sha256, streamed }) => {
      req.body = value;
      req.bodySha256 = sha256;
      if (streamed) req.streamedValues = streamed;
      next();
    },
    (error: unknown) => refuse(req, error, next),
  );
}

/** Read off the rest, as body-parser does, so the client gets to see the answer. */
export function refuse(req: IncomingMessage, error: unknown, next: NextFunction): void {
  drain(req, () => next(error));
}

/** The body's SHA-256, or that of no bytes when no JSON body was read. */
export function bodySha256(req: HashedBody): Buffer {
  return req.bodySha256 ?? EMPTY_SHA256;
}

/** What `JsonBodyOptions.streamed` took out of the body, by placeholder. */
export function streamedValues<T>(req: HashedBody): ReadonlyMap<string, T> {
  return (req.streamedValues ?? new Map()) as ReadonlyMap<string, T>;
}

export function isJsonBody(req: IncomingMessage): boolean {
  return hasBody(req) && mediaType(req) === 'application/json';
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/**
 * A 415 for a POST, PUT or PATCH that carries bytes but does not say they are JSON: otherwise
 * the body would go unread and the route's schema would complain about a missing object, which
 * sends the client looking in the wrong place. An empty body (an HTML form without fields, as
 * the email confirmation page posts) is no body at all.
 */
export function notJsonBody(req: IncomingMessage): BodyReadError | null {
  if (!BODY_METHODS.has(req.method ?? '') || !hasBytes(req) || isJsonBody(req)) return null;
  const given = req.headers['content-type'];
  return new BodyReadError(
    415,
    'media.unsupported',
    `The request body must be JSON sent with "Content-Type: application/json" (${
      given === undefined ? 'the request has no Content-Type' : `got "${given.slice(0, 100)}"`
    })`,
  );
}

async function readJson<T>(req: IncomingMessage, options: JsonBodyOptions<T>) {
  const { limit } = options;
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(req.headers['content-type'] ?? '')?.[1];
  if (charset !== undefined && !UTF8.test(charset)) {
    throw new BodyReadError(415, 'charset.unsupported', `unsupported charset "${charset}"`);
  }
  const source = decodedStream(req);
  const declared = source === req ? declaredLength(req) : undefined;
  if (declared !== undefined && declared > limit) throw tooLarge(declared, limit);
  if (options.streamed) {
    const splitter = new JsonStreamSplitter(options.streamed);
    let first = true;
    const { sha256 } = await collect(req, source, limit, declared, (chunk) => {
      const bom = first && chunk.subarray(0, 3).equals(UTF8_BOM);
      first = false;
      splitter.write(bom ? chunk.subarray(3) : chunk);
    });
    return { sha256, value: parseStrict(splitter.end()), streamed: splitter.taken };
  }
  const buffer = new BodyBuffer(declared);
  const { sha256 } = await collect(req, source, limit, declared, (chunk) => buffer.add(chunk));
  return { sha256, value: parseStrict(buffer.takeText()), streamed: null };
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

/**
 * With the length known up front the bytes go into one buffer; otherwise (chunked or compressed
 * bodies) the chunks are joined once at the end. The buffer grows with what has arrived rather
 * than with what was declared, so a client that announces 60 MB and sends a trickle makes the
 * API hold only the trickle.
 */
class BodyBuffer {
  private whole: Buffer | null;
  private readonly chunks: Buffer[] = [];
  private received = 0;

  constructor(private readonly declared: number | undefined) {
    this.whole =
      declared === undefined ? null : Buffer.allocUnsafeSlow(Math.min(declared, GROW_FROM));
  }

  add(chunk: Buffer): void {
    this.received += chunk.length;
    if (this.whole && this.received > this.whole.length) this.whole = this.grown(this.whole);
    if (this.whole) chunk.copy(this.whole, this.received - chunk.length);
    else this.chunks.push(chunk);
  }

  /**
   * JSON.parse needs the whole text; the bytes are handed over here and dropped as soon as the
   * text exists, so that they can go before the parsed copy is made.
   */
  takeText(): string {
    const bytes = this.whole ?? Buffer.concat(this.chunks, this.received);
    this.whole = null;
    this.chunks.length = 0;
    const hasBom = bytes.subarray(0, 3).equals(UTF8_BOM);
    return bytes.toString('utf8', hasBom ? UTF8_BOM.length : 0, this.received);
  }

  /** At least twice the size, so copies stay amortised, and never past the declared length. */
  private grown(buffer: Buffer): Buffer {
    const size = Math.min(this.declared!, Math.max(this.received, buffer.length * 2));
    const next = Buffer.allocUnsafeSlow(size);
    buffer.copy(next);
    return next;
  }
}

function collect(
  req: IncomingMessage,
  source: Readable,
  limit: number,
  declared: number | undefined,
  consume: (chunk: Buffer) => void,
): Promise<{ sha256: Buffer }> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    let received = 0;
    const settle = (outcome: () => void) => {
      source.off('data', onData).off('end', onEnd).off('error', onBadInput);
      req.off('error', onAborted).off('aborted', onAborted);
      outcome();
    };
    const fail = (error: unknown) =>
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
      try {
        consume(chunk);
      } catch (error) {
        fail(error);
      }
    };
    const onEnd = () => {
      if (declared !== undefined && received !== declared) return fail(lengthMismatch());
      settle(() => resolve({ sha256: hash.digest() }));
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

function hasBytes(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
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
