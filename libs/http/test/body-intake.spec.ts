import { PassThrough } from 'node:stream';
import { BodySlots, bodyIntake } from '../src/body-intake';
import type { BodyReadError } from '../src/json-body';

type FakeRequest = PassThrough & { method: string; path: string; headers: Record<string, string> };

function request(method: string, path: string, headers: Record<string, string>, body = '') {
  const req = Object.assign(new PassThrough(), { method, path, headers }) as FakeRequest;
  req.end(body);
  return req;
}

const intake = bodyIntake({
  jsonOnlyUnder: '/v1/',
  limit: 1_000,
  large: { limit: 10_000, routes: [], slots: new BodySlots(1, 100) },
});

function pass(req: FakeRequest): Promise<BodyReadError | undefined> {
  return new Promise((resolve) =>
    intake(req as never, {} as never, (error?: unknown) =>
      resolve(error as BodyReadError | undefined),
    ),
  );
}

describe('the request body intake', () => {
  it.each([
    ['POST', {}, 'the request has no Content-Type'],
    ['PUT', { 'content-type': 'text/plain' }, 'got "text/plain"'],
    ['PATCH', { 'content-type': 'application/x-www-form-urlencoded' }, 'got "application/x-www'],
  ])(
    'refuses a %s body that is not declared JSON with 415, saying what to send',
    async (method, headers, got) => {
      const req = request(method, '/v1/letters', { 'content-length': '7', ...headers }, '{"a":1}');
      const error = await pass(req);
      expect(error).toMatchObject({ status: 415, type: 'media.unsupported' });
      expect(error?.message).toContain('"Content-Type: application/json"');
      expect(error?.message).toContain(got);
      // Read off, so the client gets to see the answer.
      expect(req.readableEnded).toBe(true);
    },
  );

  it('lets through an empty form post, forms outside the JSON API, and bodies of other methods', async () => {
    const form = { 'content-type': 'application/x-www-form-urlencoded', 'content-length': '0' };
    expect(await pass(request('POST', '/v1/email-confirmation', form))).toBeUndefined();
    const login = { 'content-type': 'application/x-www-form-urlencoded', 'content-length': '5' };
    expect(await pass(request('POST', '/dev-oidc/interaction/x', login, 'a=b&c'))).toBeUndefined();
    expect(await pass(request('DELETE', '/v1/letters/x', { 'content-length': '2' }, 'xx'))).toBe(
      undefined,
    );
  });

  it('reads a JSON body as before', async () => {
    const req = request(
      'POST',
      '/v1/recipients/lookup',
      { 'content-type': 'application/json', 'content-length': '7' },
      '{"a":1}',
    );
    expect(await pass(req)).toBeUndefined();
    expect((req as unknown as { body: unknown }).body).toEqual({ a: 1 });
  });

  it('gives a route with an id in its path the large limit, for a caller it admits', async () => {
    let admitted = 0;
    const large = bodyIntake({
      jsonOnlyUnder: '/v1/',
      limit: 10,
      large: {
        limit: 10_000,
        routes: [
          {
            method: 'POST',
            path: '/v1/mailbox/letters/:id/replies',
            admit: async () => (admitted += 1),
          },
        ],
        slots: new BodySlots(1, 100),
      },
    });
    const body = JSON.stringify({ documents: ['x'.repeat(100)] });
    const headers = { 'content-type': 'application/json', 'content-length': String(body.length) };
    const through = (path: string) =>
      new Promise<unknown>((resolve) =>
        large(
          request('POST', path, headers, body) as never,
          { once: () => undefined } as never,
          resolve,
        ),
      );
    expect(await through('/v1/mailbox/letters/0190-abc/replies')).toBeUndefined();
    expect(admitted).toBe(1);
    expect(await through('/v1/mailbox/letters/0190-abc/replies/extra')).toMatchObject({
      status: 413,
    });
  });
});
