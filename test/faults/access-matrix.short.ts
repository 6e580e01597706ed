import { randomUUID } from 'node:crypto';
import { SignJWT, decodeJwt, decodeProtectedHeader, generateKeyPair, importJWK } from 'jose';
import { createAgency, type TestAgency } from '../support/agency';
import { testConfig } from '../support/fixtures';
import { FaultStack, newNationalId, report, sleep } from './support/fault-stack';

/**
 * Scenario 7 (issue 7): every endpoint × every kind of caller answers as DESIGN "People and
 * access" says; another party's object answers exactly as a missing one; fields a caller may not
 * set are refused; an agency over its rate limit gets 429 with Retry-After.
 */
jest.setTimeout(120_000);

const RATE_LIMIT = 30;
const stack = new FaultStack();
let other: TestAgency;
let throttled: TestAgency;
let readOnly: TestAgency;
let sendOnly: TestAgency;
let owner: string;
let letterId: string;
let documentId: string;
/** The owner's mailbox, as `/v1/mailboxes/{mailboxId}/…` names it. */
let ownerMailbox: string;
const tokens: Record<string, string | null> = {};
/** Signs a token as the development issuer would, with claims of the test's choosing. */
let signAsIssuer: (claims: Record<string, unknown>) => Promise<string>;
type Caller =
  | 'owner'
  | 'otherCitizen'
  | 'agency'
  | 'otherAgency'
  | 'readOnly'
  | 'sendOnly'
  | 'auditor'
  | 'none'
  | 'expired'
  | 'otherKey'
  | 'algNone';
const CALLERS: Caller[] = [
  'owner',
  'otherCitizen',
  'agency',
  'otherAgency',
  'readOnly',
  'sendOnly',
  'auditor',
  'none',
  'expired',
  'otherKey',
  'algNone',
];

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

beforeAll(async () => {
  await stack.boot({
    smtp: false,
    env: {
      RATE_LIMIT_AGENCY_REQUESTS: String(RATE_LIMIT),
      RATE_LIMIT_WINDOW_MS: '60000',
      TREE_HEAD_INTERVAL_MS: '300',
      // The production rule for webhook targets, so the matrix can check what it refuses.
      WEBHOOK_ALLOW_PRIVATE_TARGETS: 'false',
    },
  });
  other = await createAgency(stack, 'Other agency');
  throttled = await createAgency(stack, 'Busy agency');
  // Narrowed keys of other agencies: one chosen at creation, one at rotation.
  readOnly = await createAgency(
    stack,
    'Read-only agency',
    'curve25519',
    'letters:read,webhooks:manage',
  );
  sendOnly = await createAgency(stack, 'Send-only agency');
  const rotated = JSON.parse(
    await stack.cli([
      'agency',
      'rotate-api-key',
      '--agency',
      sendOnly.id,
      '--scopes',
      'letters:send',
      '--json',
    ]),
  ) as { apiKey: string; scopes: string[] };
  expect(rotated.scopes).toEqual(['letters:send']);
  sendOnly = { ...sendOnly, apiKey: rotated.apiKey };
  owner = newNationalId();
  const sent = await stack.submit(await stack.letterBody(owner, 'F7-letter'));
  expect(sent.status).toBe(202);
  letterId = sent.body.id;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const [row] = await stack.query<{ state: string; head: string | null }>(
      `SELECT l.state, (SELECT max(tree_size)::text FROM tree_heads) AS head FROM letters l WHERE id = $1`,
      [letterId],
    );
    if (row.state === 'delivered' && Number(row.head ?? 0) >= 2) break;
    await sleep(200);
  }
  const [doc] = await stack.query<{ id: string }>('SELECT id FROM documents WHERE letter_id = $1', [
    letterId,
  ]);
  documentId = doc.id;

  tokens.owner = await stack.citizenToken(owner);
  tokens.otherCitizen = await stack.citizenToken(newNationalId());
  ownerMailbox = (await stack.api.as(tokens.owner).get('/v1/me')).body.mailboxes[0].id;
  tokens.agency = stack.agency.apiKey;
  tokens.otherAgency = other.apiKey;
  tokens.readOnly = readOnly.apiKey;
  tokens.sendOnly = sendOnly.apiKey;
  tokens.auditor = await stack.cli(['dev', 'token', '--auditor', 'Riksrevisjonen']);
  tokens.none = null;
  const config = await testConfig(stack.env.DATABASE_URL!, stack.env);
  const payload = decodeJwt(tokens.owner);
  const header = decodeProtectedHeader(tokens.owner);
  const devKey = await importJWK(config.oidc.devIssuer!.privateJwk, 'ES256');
  const past = Math.floor(Date.now() / 1000) - 3_600;
  tokens.expired = await new SignJWT({ ...payload, iat: past - 600, exp: past })
    .setProtectedHeader({ alg: 'ES256', kid: header.kid, typ: 'at+jwt' })
    .sign(devKey);
  signAsIssuer = (claims) =>
    new SignJWT({ ...payload, ...claims })
      .setProtectedHeader({ alg: 'ES256', kid: header.kid, typ: 'at+jwt' })
      .sign(devKey);
  const stranger = await generateKeyPair('ES256');
  tokens.otherKey = await new SignJWT(payload)
    .setProtectedHeader({ alg: 'ES256', kid: header.kid, typ: 'at+jwt' })
    .sign(stranger.privateKey);
  tokens.algNone = `${b64({ alg: 'none', typ: 'at+jwt', kid: header.kid })}.${b64(payload)}.`;
});
afterAll(() => stack.shutdown());

function call(caller: Caller | null, method: string, path: string, body?: unknown) {
  const token = caller ? tokens[caller] : null;
  const client = token ? stack.api.as(token) : stack.api;
  return client.request(method, path, body, { 'idempotency-key': randomUUID() });
}

type Expect = Partial<Record<Caller, number>> & { oidcDefault?: number; agencyDefault?: number };

const KEY_SCOPES: Partial<Record<Caller, string[]>> = {
  readOnly: ['letters:read', 'webhooks:manage'],
  sendOnly: ['letters:send'],
};

/**
 * Statuses by caller; unnamed bad credentials are always 401. The narrowed keys belong to other
 * agencies: 403 for a route whose scope they lack (checked before the object), else as
 * `otherAgency`.
 */
function matrix(
  audience: 'agency' | 'citizen' | 'auditor',
  e: Expect,
  scope?: string,
): Record<Caller, number> {
  const row = {} as Record<Caller, number>;
  for (const c of CALLERS) {
    const scopes = KEY_SCOPES[c];
    if (e[c] !== undefined) row[c] = e[c]!;
    else if (scopes && audience === 'agency')
      row[c] = scope && !scopes.includes(scope) ? 403 : (e.otherAgency ?? 200);
    else if (scopes) row[c] = 401;
    else if (['none', 'expired', 'otherKey', 'algNone'].includes(c)) row[c] = 401;
    else if (audience === 'agency') row[c] = c === 'agency' || c === 'otherAgency' ? 200 : 401;
    else if (audience === 'citizen')
      row[c] = c === 'owner' || c === 'otherCitizen' ? 200 : c === 'auditor' ? 403 : 401;
    else row[c] = c === 'auditor' ? 200 : c === 'owner' || c === 'otherCitizen' ? 403 : 401;
  }
  return row;
}

it('answers every endpoint for every kind of caller as the access rules say', async () => {
  const L = () => `/v1/letters/${letterId}`;
  const M = () => `/v1/mailbox/letters/${letterId}`;
  const B = () => `/v1/mailboxes/${ownerMailbox}`;
  const lookup = { nationalIds: [owner], purpose: 'Access matrix test' };
  const rows: [string, string, unknown, Record<Caller, number>][] = [
    ['GET', L(), undefined, matrix('agency', { otherAgency: 404 }, 'letters:read')],
    ['GET', `${L()}/receipts`, undefined, matrix('agency', { otherAgency: 404 }, 'letters:read')],
    ['DELETE', L(), undefined, matrix('agency', { agency: 409, otherAgency: 404 }, 'letters:send')],
    // An empty letter: refused by its schema (400) once the key may send at all.
    [
      'POST',
      '/v1/letters',
      {},
      matrix('agency', { agency: 400, otherAgency: 400 }, 'letters:send'),
    ],
    ['GET', '/v1/events', undefined, matrix('agency', {}, 'letters:read')],
    ['POST', '/v1/recipients/lookup', lookup, matrix('agency', {}, 'recipients:lookup')],
    // An empty list: refused by its schema (400) once the key may send notices at all.
    [
      'POST',
      '/v1/access-notices',
      { notices: [] },
      matrix('agency', { agency: 400, otherAgency: 400 }, 'access:notify'),
    ],
    ['GET', '/v1/webhooks', undefined, matrix('agency', {}, 'webhooks:manage')],
    ['GET', '/v1/mailbox/letters', undefined, matrix('citizen', {})],
    ['GET', '/v1/mailbox/summary', undefined, matrix('citizen', {})],
    ['GET', M(), undefined, matrix('citizen', { otherCitizen: 404 })],
    ['GET', `${M()}/documents/${documentId}`, undefined, matrix('citizen', { otherCitizen: 404 })],
    ['POST', `${M()}/acknowledge`, {}, matrix('citizen', { owner: 409, otherCitizen: 404 })],
    ['PATCH', M(), { folder: 'archive' }, matrix('citizen', { otherCitizen: 404 })],
    ['GET', '/v1/mailbox/access-log', undefined, matrix('citizen', {})],
    ['GET', '/v1/mailbox/settings', undefined, matrix('citizen', {})],
    ['GET', '/v1/mailbox/access-log/evidence', undefined, matrix('citizen', {})],
    ['GET', '/v1/audit/withheld-access', undefined, matrix('auditor', {})],
    ['GET', '/v1/me', undefined, matrix('citizen', {})],
    // The owner's mailbox by id: another citizen may not act for it (DESIGN "Who may act").
    ['GET', `${B()}/letters`, undefined, matrix('citizen', { otherCitizen: 404 })],
    ['GET', `${B()}/letters/${letterId}`, undefined, matrix('citizen', { otherCitizen: 404 })],
    ['PUT', `${B()}/settings`, { language: 'nb' }, matrix('citizen', { otherCitizen: 404 })],
    ['GET', `${B()}/grants`, undefined, matrix('citizen', { otherCitizen: 404 })],
    ['GET', '/v1/audit/tree-head', undefined, matrix('auditor', {})],
    ['GET', `/v1/audit/letters/${letterId}/evidence`, undefined, matrix('auditor', {})],
  ];
  const mismatches: string[] = [];
  let checked = 0;
  let fivexx = 0;
  for (const [method, path, body, expected] of rows) {
    for (const caller of CALLERS) {
      const r = await call(caller, method, path, body);
      checked += 1;
      if (r.status >= 500) fivexx += 1;
      if (r.status !== expected[caller])
        mismatches.push(
          `${method} ${path} as ${caller}: ${r.status}, expected ${expected[caller]}`,
        );
      if (r.status >= 400 && !(r.headers.get('content-type') ?? '').includes('problem+json'))
        mismatches.push(`${method} ${path} as ${caller}: ${r.status} without problem+json`);
    }
  }
  report('7 access matrix', { checked, mismatches: mismatches.length, '5xx': fivexx });
  expect(mismatches).toEqual([]);
});

it('refuses a genuine token whose national-id claim the identity scheme rejects, with 403', async () => {
  const valid = decodeJwt(tokens.owner!).national_id as string;
  const badCheckDigit = valid.slice(0, 10) + String((Number(valid[10]) + 1) % 10);
  for (const [claim, reason] of [
    [badCheckDigit, /check digits do not match/],
    ['1234', /must be 11 digits/],
    [Number(valid), /not a string/],
  ] as const) {
    const r = await stack.api
      .as(await signAsIssuer({ national_id: claim }))
      .get('/v1/mailbox/letters');
    expect([r.status, r.body.code]).toEqual([403, 'auth.forbidden']);
    expect(r.headers.get('content-type')).toContain('problem+json');
    expect(r.body.detail).toMatch(/national_id claim/);
    expect(r.body.detail).toMatch(reason);
    expect(r.body.detail).not.toContain(String(claim));
  }
});

it('refuses webhook targets that reach a private network through NAT64, 6to4 or mapped IPv6', async () => {
  for (const url of [
    'https://[64:ff9b::a00:1]/hook',
    'https://[2002:a00:1::]/hook',
    'https://[::ffff:10.0.0.1]/hook',
    'https://[::ffff:7f00:1]/hook',
    'https://127.0.0.1/hook',
    'http://hooks.example.org/hook',
  ]) {
    const r = await call('agency', 'POST', '/v1/webhooks', { url });
    expect([url, r.status, r.body.code]).toEqual([url, 400, 'webhook.invalid_url']);
    expect(r.headers.get('content-type')).toContain('problem+json');
  }
  expect((await call('agency', 'GET', '/v1/webhooks')).body.items).toEqual([]);
});

it('narrows a key to the scopes an operator chose, lists them, and refuses an unknown one', async () => {
  const send = await call('readOnly', 'POST', '/v1/letters', {});
  expect([send.status, send.body.code, send.body.detail]).toEqual([
    403,
    'auth.forbidden',
    'This API key lacks the scope letters:send',
  ]);
  const lookup = await call('sendOnly', 'POST', '/v1/recipients/lookup', {
    nationalIds: [owner],
    purpose: 'Scope test',
  });
  expect([lookup.status, lookup.body.detail]).toEqual([
    403,
    'This API key lacks the scope recipients:lookup',
  ]);

  const keys = async (agency: TestAgency) =>
    JSON.parse(await stack.cli(['agency', 'keys', '--agency', agency.id, '--json'])) as {
      scopes: string[];
      revokedAt: string | null;
    }[];
  expect(await keys(readOnly)).toEqual([
    expect.objectContaining({ scopes: ['letters:read', 'webhooks:manage'], revokedAt: null }),
  ]);
  const rotated = await keys(sendOnly);
  expect(rotated.map((k) => [k.scopes, k.revokedAt === null])).toEqual([
    [
      ['letters:send', 'letters:read', 'recipients:lookup', 'webhooks:manage', 'access:notify'],
      false,
    ],
    [['letters:send'], true],
  ]);

  const typo = stack.cli([
    'agency',
    'create',
    '--name',
    'Typo agency',
    '--signing-key',
    readOnly.keyFile,
    '--scopes',
    'letters:send,letters:write',
  ]);
  const error = await typo.then(
    () => null,
    (e: Error) => e.message,
  );
  expect(error).toMatch(/--scopes: unknown scope letters:write; known: letters:send, /);
  expect(error!.trim().split('\n')).toHaveLength(1);
  const [made] = await stack.query<{ n: string }>(
    `SELECT count(*) AS n FROM agencies WHERE name = 'Typo agency'`,
  );
  expect(Number(made.n)).toBe(0);
});

it("answers another party's object exactly as a missing one", async () => {
  const strip = (r: { status: number; body: Record<string, unknown> }) => ({
    status: r.status,
    body: { ...r.body, requestId: undefined, instance: undefined },
  });
  const missing = randomUUID();
  for (const [caller, path, missingPath] of [
    ['otherAgency', `/v1/letters/${letterId}`, `/v1/letters/${missing}`],
    ['otherAgency', `/v1/letters/${letterId}/receipts`, `/v1/letters/${missing}/receipts`],
    ['otherCitizen', `/v1/mailbox/letters/${letterId}`, `/v1/mailbox/letters/${missing}`],
    [
      'otherCitizen',
      `/v1/mailbox/letters/${letterId}/documents/${documentId}`,
      `/v1/mailbox/letters/${missing}/documents/${randomUUID()}`,
    ],
    ['otherCitizen', `/v1/mailboxes/${ownerMailbox}/letters`, `/v1/mailboxes/${missing}/letters`],
  ] as const) {
    const theirs = strip(await call(caller, 'GET', path));
    const none = strip(await call(caller, 'GET', missingPath));
    expect(theirs).toEqual(none);
  }
});

it('refuses fields a caller may not set', async () => {
  for (const field of [
    { emailConfirmed: true },
    { notificationEmail: 'a@b.test', id: randomUUID() },
  ])
    expect((await call('owner', 'PUT', '/v1/mailbox/settings', field)).status).toBe(400);
  const body = await stack.letterBody(owner, 'F7-mass');
  for (const extra of [
    { state: 'delivered' },
    { agencyId: other.id },
    { id: randomUUID() },
    { receipt: {} },
  ]) {
    const r = await stack.submit({ ...body, ...extra });
    expect([r.status, r.body.code]).toEqual([400, expect.any(String)]);
  }
  const patched = await call('owner', 'PATCH', `/v1/mailbox/letters/${letterId}`, {
    folder: 'inbox',
    readAt: new Date().toISOString(),
  });
  expect(patched.status).toBe(400);
  const [row] = await stack.query<{ n: string }>(
    `SELECT count(*) AS n FROM letters WHERE sender_reference = 'F7-mass'`,
  );
  expect(Number(row.n)).toBe(0);
});

it('limits requests per agency with 429 and Retry-After, and only for that agency', async () => {
  const busy = stack.api.as(throttled.apiKey);
  const statuses: number[] = [];
  let retryAfter: string | null = null;
  let problemType = '';
  for (let i = 0; i < RATE_LIMIT + 10; i += 1) {
    const r = await busy.get('/v1/events');
    statuses.push(r.status);
    if (r.status === 429) {
      retryAfter = r.headers.get('retry-after');
      problemType = r.headers.get('content-type') ?? '';
    }
  }
  const limited = statuses.filter((s) => s === 429).length;
  report('7 rate limit', {
    limit: RATE_LIMIT,
    sent: statuses.length,
    '429': limited,
    retryAfter: retryAfter ?? 'none',
  });
  expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(RATE_LIMIT - 1);
  expect(limited).toBeGreaterThanOrEqual(9);
  expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
  expect(Number(retryAfter)).toBeLessThanOrEqual(60);
  expect(problemType).toContain('problem+json');
  expect((await stack.api.as(other.apiKey).get('/v1/events')).status).toBe(200);
});

it('refuses a crafted cursor with 400 problem+json on every paged list', async () => {
  const pager = await createAgency(stack, 'Paging agency');
  const agency = stack.api.as(pager.apiKey);
  const hook = await agency.post('/v1/webhooks', { url: 'https://93.184.216.34/hook' });
  expect(hook.status).toBe(201);
  const crafted = [
    b64(['abc']),
    b64([1.5]),
    b64(['2026-02-31T00:00:00.000Z', 'x']),
    b64(["now', 'x"]),
    b64([1e30]),
    '%%%',
  ];
  const pages: [string, (cursor: string) => Promise<{ status: number; headers: Headers }>][] = [
    ['GET /v1/events?after', (c) => agency.get(`/v1/events?after=${encodeURIComponent(c)}`)],
    [
      'GET /v1/webhooks/{id}/deliveries?cursor',
      (c) => agency.get(`/v1/webhooks/${hook.body.id}/deliveries?cursor=${encodeURIComponent(c)}`),
    ],
    [
      'GET /v1/mailbox/letters?cursor',
      (c) => call('owner', 'GET', `/v1/mailbox/letters?cursor=${encodeURIComponent(c)}`),
    ],
    [
      'GET /v1/mailbox/access-log?cursor',
      (c) => call('owner', 'GET', `/v1/mailbox/access-log?cursor=${encodeURIComponent(c)}`),
    ],
  ];
  const wrong: string[] = [];
  for (const [name, page] of pages)
    for (const cursor of crafted) {
      const r = await page(cursor);
      if (r.status !== 400 || !(r.headers.get('content-type') ?? '').includes('problem+json'))
        wrong.push(`${name}=${cursor}: ${r.status}`);
    }
  expect(wrong).toEqual([]);
});
