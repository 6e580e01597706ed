import { randomUUID } from 'node:crypto';
import { makeSyntheticNorwegianId } from '#identity';
import { API_CONTROLLERS } from '../apps/api/src/app.module';
import { buildOpenApiDocument } from '../apps/api/src/openapi/document';
import { createAgency, platformPublicKey, sealFor, type TestAgency } from './support/agency';
import { conforms } from './support/contract';
import { ApiClient, type JsonResponse } from './support/http';
import { Stack } from './support/stack';

jest.setTimeout(90_000);

/**
 * The API's answers, checked against the schemas its routes declare (the ones /openapi.json
 * and the web client's types are made of), on a real API and worker.
 */
const stack = new Stack();
let api: ApiClient;
let agency: TestAgency;
let sender: ApiClient;
let citizen: ApiClient;
let auditor: ApiClient;
let letterId: string;

const nationalId = makeSyntheticNorwegianId(new Date('1979-05-17'), 321, 'tenor');

async function letter(title = 'Vedtak om barnetrygd') {
  return {
    recipient: { nationalId },
    title,
    documents: [
      {
        filename: 'vedtak.txt',
        mediaType: 'text/plain',
        content: await sealFor(agency, await platformPublicKey(stack), 'Innvilget.'),
      },
    ],
    requiresAcknowledgement: true,
  };
}

beforeAll(async () => {
  await stack.start();
  api = new ApiClient(stack.baseUrl);
  agency = await createAgency(stack, 'Contract agency');
  sender = api.as(agency.apiKey);
  citizen = api.as(await stack.cli(['dev', 'token', '--citizen', nationalId]));
  auditor = api.as(await stack.cli(['dev', 'token', '--auditor', 'Riksrevisjonen']));
});

afterAll(() => stack.stop());

describe('answers match their declared schemas', () => {
  it('serves the document generated from the declarations', async () => {
    const served = await api.get('/openapi.json');
    expect(served.status).toBe(200);
    expect(served.body).toEqual(buildOpenApiDocument(API_CONTROLLERS, '/'));
    expect((await api.get('/docs')).headers.get('content-type')).toContain('text/html');
    conforms('get', '/health/live', await api.get('/health/live'));
    conforms('get', '/health/ready', await api.get('/health/ready'));
    conforms('get', '/v1/platform/keys', await api.get('/v1/platform/keys'));
  });

  it('submit, replay, reuse and refusals', async () => {
    const body = await letter();
    const key = randomUUID();
    const submit = (b: unknown, headers: Record<string, string> = { 'idempotency-key': key }) =>
      sender.post('/v1/letters', b, headers);
    const first = await submit(body);
    expect(first.status).toBe(202);
    letterId = conforms<{ id: string }>('post', '/v1/letters', first).id;
    expect(conforms('post', '/v1/letters', await submit(body))).toEqual(first.body);
    const reused = await submit({ ...body, title: 'Another' });
    expect(conforms('post', '/v1/letters', reused)).toMatchObject({ status: 422 });
    const noKey = await submit(body, {});
    expect(conforms('post', '/v1/letters', noKey)).toMatchObject({
      code: 'idempotency.key_missing',
    });
    const unknownField = await submit({ ...body, colour: 'red' }, { 'idempotency-key': 'x' });
    expect(conforms('post', '/v1/letters', unknownField)).toMatchObject({ status: 400 });
    const anonymous = await api.post('/v1/letters', body, { 'idempotency-key': key });
    expect(conforms('post', '/v1/letters', anonymous)).toMatchObject({ status: 401 });
    const wrongKind = await citizen.post('/v1/letters', body, { 'idempotency-key': key });
    expect(conforms('post', '/v1/letters', wrongKind)).toMatchObject({ status: 401 });
  });

  it("a letter's views, receipts and events, as its sender sees them", async () => {
    await sender.waitForState(letterId, 'delivered');
    conforms('get', '/v1/letters/{id}', await sender.get(`/v1/letters/${letterId}`));
    const missing = await sender.get(`/v1/letters/${randomUUID()}`);
    expect(conforms('get', '/v1/letters/{id}', missing)).toMatchObject({
      code: 'letter.not_found',
    });
    expect(conforms('get', '/v1/letters/{id}', await sender.get('/v1/letters/nope')).status).toBe(
      404,
    );
    const signed = await sender.waitFor(async () => {
      const r = await sender.get(`/v1/letters/${letterId}/receipts`);
      return r.body.items.some((i: { jws?: string }) => i.jws) ? r : undefined;
    }, 'a signed receipt');
    conforms('get', '/v1/letters/{id}/receipts', signed);
    const events = conforms<{ items: unknown[] }>(
      'get',
      '/v1/events',
      await sender.get('/v1/events'),
    );
    expect(events.items.length).toBeGreaterThan(0);
    conforms('get', '/v1/events', await sender.get('/v1/events?limit=0'));
  });

  it('recipient lookup', async () => {
    const lookup = (nationalIds: string[]) =>
      sender.post('/v1/recipients/lookup', { nationalIds, purpose: 'Sending a decision' });
    const found = conforms<{ items: unknown[] }>(
      'post',
      '/v1/recipients/lookup',
      await lookup([nationalId]),
    );
    expect(found.items).toHaveLength(1);
    expect(conforms('post', '/v1/recipients/lookup', await lookup(['12'])).status).toBe(400);
  });

  it('webhooks', async () => {
    const created = await sender.post('/v1/webhooks', {
      url: 'http://127.0.0.1:9/hook',
      events: ['delivered'],
    });
    expect(created.status).toBe(201);
    const { id } = conforms<{ id: string }>('post', '/v1/webhooks', created);
    const bad = await sender.post('/v1/webhooks', { url: 'http://x', events: ['nothing'] });
    expect(conforms('post', '/v1/webhooks', bad).status).toBe(400);
    conforms('get', '/v1/webhooks', await sender.get('/v1/webhooks'));
    const deliveries = await sender.get(`/v1/webhooks/${id}/deliveries`);
    conforms('get', '/v1/webhooks/{id}/deliveries', deliveries);
    const removed = await sender.request('DELETE', `/v1/webhooks/${id}`);
    expect(conforms('delete', '/v1/webhooks/{id}', removed)).toBe('');
    expect(removed.status).toBe(204);
    const again = await sender.request('DELETE', `/v1/webhooks/${id}`);
    expect(conforms('delete', '/v1/webhooks/{id}', again).status).toBe(404);
  });

  it("the citizen's mailbox", async () => {
    const list = await citizen.get('/v1/mailbox/letters');
    const page = conforms<{ items: { id: string; documents: { id: string }[] }[] }>(
      'get',
      '/v1/mailbox/letters',
      list,
    );
    const entry = page.items.find((l) => l.id === letterId)!;
    conforms('get', '/v1/mailbox/summary', await citizen.get('/v1/mailbox/summary'));
    const path = `/v1/mailbox/letters/${letterId}`;
    conforms('get', '/v1/mailbox/letters/{id}', await citizen.get(path));
    const notRead = await citizen.post(`${path}/acknowledge`, {});
    expect(conforms('post', '/v1/mailbox/letters/{id}/acknowledge', notRead).status).toBe(409);
    const document = await citizen.get(`${path}/documents/${entry.documents[0].id}`);
    conforms('get', '/v1/mailbox/letters/{id}/documents/{documentId}', document);
    const acknowledged = await citizen.post(`${path}/acknowledge`, {});
    conforms('post', '/v1/mailbox/letters/{id}/acknowledge', acknowledged);
    const moved = await citizen.request('PATCH', path, { folder: 'archive' });
    expect(conforms('patch', '/v1/mailbox/letters/{id}', moved)).toMatchObject({
      folder: 'archive',
    });
    const badFolder = await citizen.request('PATCH', path, { folder: 'attic' });
    expect(conforms('patch', '/v1/mailbox/letters/{id}', badFolder).status).toBe(400);
    conforms('delete', '/v1/mailbox/letters/{id}', await citizen.request('DELETE', path));
    const list2 = await citizen.get('/v1/mailbox/letters?folder=trash&unread=false&limit=1');
    conforms('get', '/v1/mailbox/letters', list2);
    conforms('get', '/v1/mailbox/access-log', await citizen.get('/v1/mailbox/access-log'));
    const keys = await citizen.get(`${path}/sender-keys`);
    conforms('get', '/v1/mailbox/letters/{id}/sender-keys', keys);
    conforms('get', '/v1/mailbox/key', await citizen.get('/v1/mailbox/key'));
    const anonymous = await api.get('/v1/mailbox/summary');
    expect(conforms('get', '/v1/mailbox/summary', anonymous).status).toBe(401);
  });

  it("the citizen's settings", async () => {
    conforms('get', '/v1/mailbox/settings', await citizen.get('/v1/mailbox/settings'));
    const put = (body: unknown) => citizen.request('PUT', '/v1/mailbox/settings', body);
    const saved = await put({ language: 'en', timeZone: 'Europe/Oslo' });
    expect(conforms('put', '/v1/mailbox/settings', saved)).toMatchObject({ language: 'en' });
    expect(
      conforms('put', '/v1/mailbox/settings', await put({ emailConfirmed: true })).status,
    ).toBe(400);
    const resend = await citizen.post('/v1/mailbox/settings/email-confirmation', {});
    expect(conforms('post', '/v1/mailbox/settings/email-confirmation', resend).status).toBe(409);
  });

  it('the audit API', async () => {
    const head = conforms<{ treeSize: number }>(
      'get',
      '/v1/audit/tree-head',
      await auditor.get('/v1/audit/tree-head'),
    );
    conforms('get', '/v1/audit/tree-heads', await auditor.get('/v1/audit/tree-heads'));
    const evidence = await auditor.get(`/v1/audit/letters/${letterId}/evidence`);
    conforms('get', '/v1/audit/letters/{id}/evidence', evidence);
    const consistency = await auditor.get(`/v1/audit/consistency?from=0&to=${head.treeSize}`);
    conforms('get', '/v1/audit/consistency', consistency);
    const outOfRange = await auditor.get(`/v1/audit/consistency?from=0&to=${head.treeSize + 99}`);
    expect(conforms('get', '/v1/audit/consistency', outOfRange).status).toBe(400);
    const forbidden = await citizen.get('/v1/audit/tree-head');
    expect(conforms('get', '/v1/audit/tree-head', forbidden).status).toBe(403);
  });

  it('fails an answer with a misspelt, missing or undeclared field, or an undeclared status', async () => {
    const real = await sender.get(`/v1/letters/${letterId}`);
    const altered = (body: unknown): JsonResponse => ({ ...real, body });
    const { title, ...withoutTitle } = real.body as { title: string };
    expect(() =>
      conforms('get', '/v1/letters/{id}', altered({ ...withoutTitle, titel: title })),
    ).toThrow(/titel/);
    expect(() => conforms('get', '/v1/letters/{id}', altered(withoutTitle))).toThrow(/title/);
    expect(() => conforms('get', '/v1/letters/{id}', { ...real, status: 418 })).toThrow(
      /not a declared answer/,
    );
  });
});
