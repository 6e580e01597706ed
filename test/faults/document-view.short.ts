import { Redis } from 'ioredis';
import { randomBytes, randomUUID } from 'node:crypto';
import { sealFor } from '../support/agency';
import { FaultStack, newNationalId, sleep } from './support/fault-stack';

/**
 * The browser's PDF viewer gets a URL ending in the filename (its title and download name)
 * through a short-lived view ticket, since it cannot send the bearer token. The ticket opens
 * that one document for its owner only, a few times, briefly, and never appears in the logs.
 */
jest.setTimeout(120_000);

const TTL_SECONDS = 3;
const ANONYMOUS_LIMIT = 40;
const FILENAME = 'Vedtak om støtte 2031.pdf';
const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n' +
    '2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n' +
    '3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n' +
    'trailer<</Root 1 0 R>>\n%%EOF\n',
);

const stack = new FaultStack();
let owner: ReturnType<FaultStack['api']['as']>;
let letterId: string;
let pdfId: string;
let textId: string;

beforeAll(async () => {
  await stack.boot({
    smtp: false,
    env: {
      LOG_LEVEL: 'info',
      DOCUMENT_VIEW_TICKET_TTL_SECONDS: String(TTL_SECONDS),
      RATE_LIMIT_ANONYMOUS_REQUESTS: String(ANONYMOUS_LIMIT),
    },
  });
  const nationalId = newNationalId();
  owner = stack.api.as(await stack.citizenToken(nationalId));
  const sent = await stack.submit({
    recipient: { nationalId },
    title: 'Vedtak',
    documents: [
      {
        filename: FILENAME,
        mediaType: 'application/pdf',
        content: await sealFor(stack.agency, stack.platformKey, PDF.toString()),
      },
      { filename: 'vedlegg.txt', mediaType: 'text/plain', content: await stack.document(0) },
    ],
  });
  expect(sent.status).toBe(202);
  letterId = sent.body.id;
  await stack.api.as(stack.agency.apiKey).waitForState(letterId, 'delivered');
  const letter = await owner.get(`/v1/mailbox/letters/${letterId}`);
  const byName = (name: string) =>
    (letter.body.documents as { id: string; filename: string }[]).find((d) => d.filename === name)!
      .id;
  pdfId = byName(FILENAME);
  textId = byName('vedlegg.txt');
});
afterAll(() => stack.shutdown());

const ticketPath = (documentId: string) =>
  `/v1/mailbox/letters/${letterId}/documents/${documentId}/view-ticket`;

async function ticket(documentId = pdfId): Promise<string> {
  const issued = await owner.post(ticketPath(documentId), undefined);
  expect(issued.status).toBe(201);
  return issued.body.url as string;
}

const view = (url: string) => fetch(`${stack.baseUrl}${url}`);

async function expectMissing(url: string) {
  const response = await view(url);
  expect(response.status).toBe(404);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(((await response.json()) as { code: string }).code).toBe('document.not_found');
}

it('serves the PDF under its filename without a token, and its first fetch is the read', async () => {
  const url = await ticket();
  expect(url).toMatch(/^\/v1\/document-views\/[A-Za-z0-9_-]{43}\/[^/]+$/);
  expect(decodeURIComponent(url.split('/').at(-1)!)).toBe(FILENAME);
  expect((await owner.get(`/v1/mailbox/letters/${letterId}`)).body.readAt).toBeNull();

  const response = await view(url);
  expect(response.status).toBe(200);
  expect(Buffer.from(await response.arrayBuffer()).equals(PDF)).toBe(true);
  expect(Object.fromEntries(response.headers)).toMatchObject({
    'content-type': 'application/pdf',
    'content-disposition': `inline; filename*=UTF-8''${encodeURIComponent(FILENAME)}`,
    'x-content-type-options': 'nosniff',
    'content-security-policy': 'sandbox',
    'cache-control': 'private, no-store',
  });
  expect((await owner.get(`/v1/mailbox/letters/${letterId}`)).body.readAt).not.toBeNull();
  const receipts = await stack.api.as(stack.agency.apiKey).get(`/v1/letters/${letterId}/receipts`);
  const types = (receipts.body.items as { type: string }[]).map((r) => r.type);
  expect(types.filter((t) => t === 'read')).toHaveLength(1);

  // The viewer fetches again for its own download button; then the ticket is used up.
  expect((await view(url)).status).toBe(200);
  expect((await view(url)).status).toBe(200);
  await expectMissing(url);
});

it('keeps only the ticket hash in Redis, gone once the ticket expires', async () => {
  const url = await ticket();
  const secret = url.split('/')[3];
  const redis = new Redis(stack.env.REDIS_URL!);
  try {
    const keys = await redis.keys(`${stack.env.QUEUE_PREFIX}:document-view:*`);
    expect(keys.length).toBeGreaterThan(0);
    const stored = await Promise.all(keys.map((k) => redis.hgetall(k)));
    expect(JSON.stringify({ keys, stored })).not.toContain(secret);
    await sleep(TTL_SECONDS * 1000 + 300);
    await expectMissing(url);
    expect(await redis.keys(`${stack.env.QUEUE_PREFIX}:document-view:*`)).toEqual([]);
  } finally {
    redis.disconnect();
  }
});

it('opens no other document, and no wrong or malformed ticket', async () => {
  const url = await ticket();
  const secret = url.split('/')[3];
  await expectMissing(`/v1/document-views/${secret}/vedlegg.txt`);
  await expectMissing(`/v1/document-views/${randomBytes(32).toString('base64url')}/x.pdf`);
  await expectMissing(`/v1/document-views/not-a-ticket/${encodeURIComponent(FILENAME)}`);
  // A failed try costs no use: the right URL still opens.
  expect((await view(url)).status).toBe(200);

  const text = await owner.post(ticketPath(textId), undefined);
  expect(text.status).toBe(409);
  expect(text.body.code).toBe('document_view.not_pdf');
  const unknown = await owner.post(ticketPath(randomUUID()), undefined);
  expect(unknown.status).toBe(404);
});

it("gives no ticket for another citizen's letter, nor without a token", async () => {
  const other = stack.api.as(await stack.citizenToken(newNationalId()));
  const refused = await other.post(ticketPath(pdfId), undefined);
  expect(refused.status).toBe(404);
  expect(refused.body.code).toBe('letter.not_found');
  expect((await stack.api.post(ticketPath(pdfId), undefined)).status).toBe(401);
});

it('logs the route, never a ticket or the filename', async () => {
  const url = await ticket();
  expect((await view(url)).status).toBe(200);
  const secret = url.split('/')[3];
  await stack.api.waitFor(
    async () => stack.apiProcess().output().includes('/v1/document-views/{ticket}/{filename}'),
    'the view in the request log',
  );
  const logs = stack.processes.map((p) => p.output()).join('\n');
  expect(logs).not.toContain(secret);
  expect(logs).not.toContain(encodeURIComponent(FILENAME));
  expect(logs).not.toContain('document-views/' + secret.slice(0, 8));
});

it('counts the unauthenticated view route under the per-address limit', async () => {
  const wrong = `/v1/document-views/${randomBytes(32).toString('base64url')}/x.pdf`;
  const statuses: number[] = [];
  for (let i = 0; i < ANONYMOUS_LIMIT && !statuses.includes(429); i += 1)
    statuses.push((await view(wrong)).status);
  expect(statuses).toContain(429);
});
