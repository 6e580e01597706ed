import { createHash } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { jsonBody, type BodyReadError, type HashedBody } from '../src/json-body';

type FakeRequest = PassThrough & HashedBody & { headers: Record<string, string>; body?: unknown };

function request(headers: Record<string, string>, chunks: (string | Buffer)[]): FakeRequest {
  const req = Object.assign(new PassThrough(), { headers }) as FakeRequest;
  for (const chunk of chunks) req.write(chunk);
  req.end();
  return req;
}

function json(chunks: (string | Buffer)[], headers: Record<string, string> = {}): FakeRequest {
  const length = chunks.reduce((n, c) => n + Buffer.byteLength(c), 0);
  return request(
    { 'content-type': 'application/json', 'content-length': String(length), ...headers },
    chunks,
  );
}

function read(req: FakeRequest, limit = 1_000): Promise<BodyReadError | undefined> {
  return new Promise((resolve) =>
    jsonBody({ limit })(req as never, {} as never, (error?: unknown) =>
      resolve(error as BodyReadError | undefined),
    ),
  );
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest();

describe('the JSON body reader', () => {
  it('parses the body and keeps only the SHA-256 of its bytes, whitespace included', async () => {
    const req = json(['{"title": ', '"brev",\n', ' "n": [1, 2]} ']);
    expect(await read(req)).toBeUndefined();
    expect(req.body).toEqual({ title: 'brev', n: [1, 2] });
    expect(req.bodySha256).toEqual(sha256('{"title": "brev",\n "n": [1, 2]} '));
  });

  it('refuses a declared length over the limit before reading, and reads off the rest', async () => {
    const req = json(['{"a":"', 'x'.repeat(2_000), '"}']);
    const error = await read(req);
    expect(error).toMatchObject({ status: 413, type: 'entity.too.large' });
    expect(req.body).toBeUndefined();
    expect(req.readableEnded).toBe(true);
  });

  it('reads a large declared body that arrives in pieces, and refuses one shorter than declared', async () => {
    const text = JSON.stringify({ a: 'z'.repeat(300_000) });
    const pieces = Array.from({ length: 10 }, (_, i) => text.slice(i * 30_001, (i + 1) * 30_001));
    const req = json(pieces);
    expect(await read(req, 1_000_000)).toBeUndefined();
    expect(req.body).toEqual({ a: 'z'.repeat(300_000) });
    expect(req.bodySha256).toEqual(sha256(text));
    const short = json(['{"a":1}'], { 'content-length': '500000' });
    expect(await read(short, 1_000_000)).toMatchObject({
      status: 400,
      type: 'request.size.invalid',
    });
  });

  it('refuses a body without a length once it passes the limit', async () => {
    const req = request({ 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, [
      '{"a":"',
      'x'.repeat(600),
      'x'.repeat(600),
      '"}',
    ]);
    expect(await read(req)).toMatchObject({ status: 413, type: 'entity.too.large' });
    expect(req.bodySha256).toBeUndefined();
  });

  it('inflates gzip and hashes the inflated bytes, as the limit counts them', async () => {
    const gzipped = {
      'content-type': 'application/json',
      'content-encoding': 'gzip',
      'transfer-encoding': 'chunked',
    };
    const text = JSON.stringify({ a: 'y'.repeat(500) });
    const req = request(gzipped, [gzipSync(text)]);
    expect(await read(req)).toBeUndefined();
    expect(req.bodySha256).toEqual(sha256(text));
    const bomb = request(gzipped, [gzipSync(JSON.stringify({ a: 'y'.repeat(5_000) }))]);
    expect(await read(bomb)).toMatchObject({ status: 413 });
  });

  it.each([
    ['a bare string', '"x"'],
    ['blank text', '   '],
    ['malformed JSON', '{"a":'],
    ['trailing garbage', '{}x'],
  ])('answers %s as unparseable JSON', async (_name, text) => {
    expect(await read(json([text]))).toMatchObject({ status: 400, type: 'entity.parse.failed' });
  });

  it('reads an empty body as {} and skips a byte-order mark, as body-parser did', async () => {
    const empty = json([]);
    expect(await read(empty)).toBeUndefined();
    expect(empty.body).toEqual({});
    const bom = json([Buffer.from([0xef, 0xbb, 0xbf]), '{"a":1}']);
    expect(await read(bom)).toBeUndefined();
    expect(bom.body).toEqual({ a: 1 });
  });

  it('leaves other media types alone and refuses other charsets and encodings', async () => {
    const xml = request({ 'content-type': 'application/xml', 'content-length': '6' }, ['<xml/>']);
    expect(await read(xml)).toBeUndefined();
    expect(xml.body).toBeUndefined();
    expect(
      await read(json(['{}'], { 'content-type': 'application/json; charset=latin1' })),
    ).toMatchObject({ status: 415, type: 'charset.unsupported' });
    expect(await read(json(['{}'], { 'content-encoding': 'compress' }))).toMatchObject({
      status: 415,
      type: 'encoding.unsupported',
    });
    const utf8 = json(['{"ø":"å"}'], { 'content-type': 'application/json; charset="UTF-8"' });
    expect(await read(utf8)).toBeUndefined();
    expect(utf8.body).toEqual({ ø: 'å' });
  });
});
