import { randomUUID } from 'node:crypto';
import { FaultStack, newNationalId } from './support/fault-stack';

/**
 * What a newcomer's first hand-made requests get back: each mistake answers a 4xx problem that
 * names the mistake (a body without Content-Type, the letter's text where the OpenPGP message
 * belongs, a logIndex where the feed wants its cursor), not a complaint about something else.
 */
jest.setTimeout(120_000);

const stack = new FaultStack();

beforeAll(() => stack.boot({ smtp: false }));
afterAll(() => stack.shutdown());

async function raw(path: string, body: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${stack.baseUrl}${path}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${stack.agency.apiKey}`,
      'idempotency-key': randomUUID(),
      ...headers,
    },
    body,
  });
  return {
    status: response.status,
    type: response.headers.get('content-type') ?? '',
    body: (await response.json()) as { code: string; detail: string },
  };
}

describe('a JSON body sent without saying so', () => {
  const routes = {
    '/v1/letters': async () =>
      JSON.stringify(await stack.letterBody(newNationalId(), 'Uten Content-Type')),
    '/v1/recipients/lookup': () =>
      Promise.resolve(JSON.stringify({ nationalIds: [newNationalId()], purpose: 'A test' })),
  };

  it.each(Object.keys(routes) as (keyof typeof routes)[])(
    'answers 415 on POST %s, for a missing and for a wrong Content-Type, naming the one to send',
    async (path) => {
      const body = await routes[path]();
      // fetch makes a string body text/plain; a Blob without a type sends no Content-Type at all.
      const missing = await fetch(`${stack.baseUrl}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${stack.agency.apiKey}`, 'idempotency-key': 'k1' },
        body: new Blob([body]),
      });
      expect(missing.status).toBe(415);
      expect(missing.headers.get('content-type')).toContain('application/problem+json');
      expect(await missing.json()).toMatchObject({
        code: 'request.unsupported_media_type',
        detail:
          'The request body must be JSON sent with "Content-Type: application/json" (the request has no Content-Type)',
      });

      const wrong = await raw(path, body, { 'content-type': 'text/plain;charset=UTF-8' });
      expect([wrong.status, wrong.body.code]).toEqual([415, 'request.unsupported_media_type']);
      expect(wrong.type).toContain('application/problem+json');
      expect(wrong.body.detail).toContain('got "text/plain;charset=UTF-8"');

      const right = await raw(path, body, { 'content-type': 'application/json' });
      expect(right.status).toBe(path === '/v1/letters' ? 202 : 200);
    },
  );
});

it("says that a letter's plain text is not an OpenPGP message", async () => {
  const letter = await stack.letterBody(newNationalId(), 'Klartekst');
  letter.documents[0].content = 'Du har fått innvilget bostøtte fra 1. desember.';

  const answer = await raw('/v1/letters', JSON.stringify(letter), {
    'content-type': 'application/json',
  });

  expect(answer.status).toBe(400);
  expect(answer.body.code).toBe('openpgp.malformed');
  expect(answer.body.detail).toMatch(
    /^documents\[0\]\.content: content is not an OpenPGP message: expected ASCII armor \(-----BEGIN PGP MESSAGE-----\) or base64 of the binary message/,
  );
});

describe('the event feed', () => {
  const feed = (query: string) => stack.api.as(stack.agency.apiKey).get(`/v1/events${query}`);

  it('refuses a logIndex as after, saying to pass the nextCursor of an earlier page', async () => {
    const answer = await feed('?after=12');

    expect(answer.status).toBe(400);
    expect(answer.body.detail).toBe(
      'after: must be the nextCursor of an earlier page (an opaque cursor), not a logIndex; omit it to read from the start',
    );
  });

  it('resumes from the last nextCursor stored, one handed out with no items included', async () => {
    type Event = { letterId: string; type: string; logIndex: number };
    const seen: Event[] = [];
    let cursor: string | undefined;
    // A reader's loop: pages until an empty one, keeping each nextCursor as the place to resume.
    const catchUp = async () => {
      for (;;) {
        const page = await feed(`?limit=2${cursor ? `&after=${cursor}` : ''}`);
        expect(page.status).toBe(200);
        seen.push(...(page.body.items as Event[]));
        if (page.body.items.length === 0 && cursor) expect(page.body.nextCursor).toBe(cursor);
        cursor = page.body.nextCursor as string;
        if (page.body.items.length === 0) return;
      }
    };
    await catchUp();
    for (const title of ['Feed 1', 'Feed 2']) {
      const sent = await stack.submit(await stack.letterBody(newNationalId(), title));
      expect(sent.status).toBe(202);
      await stack.api.waitFor(async () => {
        await catchUp();
        return seen.some((e) => e.letterId === sent.body.id && e.type === 'accepted');
      }, `the accepted event of ${title}`);
    }

    // Every event once, in log order: what one read from the start gives.
    const whole = await feed('?limit=1000');
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(seen).toEqual((whole.body.items as Event[]).slice(0, seen.length));
  });
});

it('feeds the published OpenAPI description of after from the same schema', async () => {
  const document = (await stack.api.get('/openapi.json')).body as {
    paths: Record<string, { get: { parameters: { name: string; description?: string }[] } }>;
  };
  const after = document.paths['/v1/events'].get.parameters.find((p) => p.name === 'after');

  expect(after?.description).toContain('Opaque cursor: the nextCursor of an earlier page');
  expect(after?.description).toContain('a logIndex is not accepted');
});
