import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { makeSyntheticNorwegianId } from '#identity';
import { Client } from 'pg';
import {
  createAgency,
  GnuPgAgency,
  platformPublicKey,
  sealFor,
  type TestAgency,
} from './support/agency';
import { ApiClient } from './support/http';
import { Stack, startProcess } from './support/stack';

jest.setTimeout(60_000);

const stack = new Stack();
let api: ApiClient;
let platformKey: string;
let agency: TestAgency;
let agencyApi: ApiClient;

const citizenA = makeSyntheticNorwegianId(new Date('1985-03-14'), 123, 'tenor');
const citizenB = makeSyntheticNorwegianId(new Date('1990-11-02'), 456, 'tenor');

async function citizen(nationalId: string): Promise<ApiClient> {
  return api.as(await stack.cli(['dev', 'token', '--citizen', nationalId]));
}

async function send(from: TestAgency, body: Record<string, unknown>, key = randomUUID()) {
  return api.as(from.apiKey).post('/v1/letters', body, { 'idempotency-key': key });
}

async function letterTo(
  nationalId: string,
  text: string,
  extra: Record<string, unknown> = {},
  from = agency,
) {
  return {
    recipient: { nationalId },
    title: 'Vedtak om bostøtte',
    documents: [
      {
        filename: 'vedtak.txt',
        mediaType: 'text/plain',
        content: await sealFor(from, platformKey, text),
      },
    ],
    ...extra,
  };
}

beforeAll(async () => {
  await stack.start();
  api = new ApiClient(stack.baseUrl);
  platformKey = await platformPublicKey(stack);
  agency = await createAgency(stack, 'Skatteetaten');
  agencyApi = api.as(agency.apiKey);
});

afterAll(() => stack.stop());

describe('an agency sends a letter and a citizen reads it', () => {
  it('publishes the platform OpenPGP key and the receipt JWKS', async () => {
    const keys = await api.get('/v1/platform/keys');
    expect(keys.status).toBe(200);
    expect(keys.body.openpgp.publicKey).toContain('BEGIN PGP PUBLIC KEY BLOCK');
    expect(keys.body.openpgp.fingerprint).toMatch(/^[0-9a-f]{40}$/);
    expect(keys.body.receipts.keys[0]).toMatchObject({
      kty: 'OKP',
      crv: 'Ed25519',
      kid: expect.any(String),
    });
    expect(keys.body.receipts.keys[0].d).toBeUndefined();
  });

  it('delivers a signed, encrypted letter that the citizen lists, reads and acknowledges', async () => {
    const submitted = await send(
      agency,
      await letterTo(citizenA, 'Du har fått innvilget bostøtte.', {
        requiresAcknowledgement: true,
      }),
    );
    expect(submitted.status).toBe(202);
    expect(submitted.body).toMatchObject({
      state: 'accepted',
      receipt: { type: 'accepted', agencyId: agency.id, logIndex: null },
    });
    expect(submitted.body.receipt.recipientRef).not.toContain(citizenA);
    const id = submitted.body.id as string;

    await agencyApi.waitForState(id, 'delivered');
    const me = await citizen(citizenA);
    const list = await me.get('/v1/mailbox/letters');
    expect(list.status).toBe(200);
    const entry = list.body.items.find((l: { id: string }) => l.id === id);
    expect(entry).toMatchObject({
      sender: { id: agency.id, name: 'Skatteetaten' },
      title: 'Vedtak om bostøtte',
      state: 'delivered',
      folder: 'inbox',
      readAt: null,
      requiresAcknowledgement: true,
      endToEnd: false,
      documents: [
        {
          filename: 'vedtak.txt',
          mediaType: 'text/plain',
          size: Buffer.byteLength('Du har fått innvilget bostøtte.'),
        },
      ],
    });
    expect((await me.get('/v1/mailbox/summary')).body).toEqual({ unread: 1, needsAction: 1 });

    const early = await me.post(`/v1/mailbox/letters/${id}/acknowledge`, {});
    expect(early.status).toBe(409);
    expect(early.body.code).toBe('letter.not_read');

    const doc = await fetch(
      `${stack.baseUrl}/v1/mailbox/letters/${id}/documents/${entry.documents[0].id}`,
      {
        headers: {
          authorization: `Bearer ${await stack.cli(['dev', 'token', '--citizen', citizenA])}`,
        },
      },
    );
    expect(doc.status).toBe(200);
    expect(await doc.text()).toBe('Du har fått innvilget bostøtte.');
    expect(doc.headers.get('content-type')).toContain('text/plain');
    expect(doc.headers.get('x-content-type-options')).toBe('nosniff');
    expect(doc.headers.get('content-security-policy')).toBe('sandbox');
    await agencyApi.waitForState(id, 'read');

    const ack = await me.post(`/v1/mailbox/letters/${id}/acknowledge`, {});
    expect(ack.status).toBe(200);
    expect(ack.body.type).toBe('acknowledged');
    const again = await me.post(`/v1/mailbox/letters/${id}/acknowledge`, {});
    // The same receipt; by now the sequencer may have given it its log index.
    expect({ ...again.body, logIndex: null }).toEqual({ ...ack.body, logIndex: null });

    // Notification outcomes are receipts too (this citizen has no address, so
    // notification_failed); test/notifications.e2e.ts covers them, here only the lifecycle counts.
    const lifecycle = <T extends { type: string }>(items: T[]) =>
      items.filter((x) => !['notified', 'notification_failed', 'reminder_sent'].includes(x.type));
    const receipts = await agencyApi.waitFor(async () => {
      const r = await agencyApi.get(`/v1/letters/${id}/receipts`);
      const items = lifecycle(r.body.items as { type: string; jws?: string }[]);
      return items.length === 4 && items.every((x) => x.jws) ? (items as any[]) : undefined;
    }, 'all receipts signed');
    expect(receipts.map((r: { type: string }) => r.type)).toEqual([
      'accepted',
      'delivered',
      'read',
      'acknowledged',
    ]);
    const delivered = receipts[1];
    expect(delivered.documents[0].plaintextSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(receipts[0].documents[0].plaintextSha256).toBeUndefined();
    expect(new Set(receipts.map((r: { logIndex: number }) => r.logIndex)).size).toBe(4);

    const letter = await agencyApi.get(`/v1/letters/${id}`);
    expect(lifecycle(letter.body.timeline as { type: string }[]).map((t) => t.type)).toEqual([
      'accepted',
      'delivered',
      'read',
      'acknowledged',
    ]);
  });

  it('replays the first answer for a repeated Idempotency-Key and refuses another body with 422', async () => {
    const body = await letterTo(citizenA, 'Idempotent');
    const key = randomUUID();
    const first = await send(agency, body, key);
    const second = await send(agency, body, key);
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('idempotency-replayed')).toBe('true');
    const other = await send(agency, { ...body, title: 'Another title' }, key);
    expect(other.status).toBe(422);
    expect(other.body.code).toBe('idempotency.key_reused');
  });

  it('rejects a letter signed by a key the agency never registered, with a reason', async () => {
    const stranger = await createAgency(stack, 'Stranger');
    const forged = { ...agency, privateKey: stranger.privateKey };
    const submitted = await send(agency, await letterTo(citizenA, 'Forged', {}, forged));
    expect(submitted.status).toBe(202);
    await agencyApi.waitForState(submitted.body.id, 'rejected');
    const receipts = await agencyApi.get(`/v1/letters/${submitted.body.id}/receipts`);
    const rejected = receipts.body.items.find((r: { type: string }) => r.type === 'rejected');
    expect(rejected.reason.code).toBe('openpgp.unknown_signer');
    const me = await citizen(citizenA);
    expect((await me.get(`/v1/mailbox/letters/${submitted.body.id}`)).status).toBe(404);
  });

  it('accepts binary messages given as base64 from an RSA-3072 agency', async () => {
    const rsa = await createAgency(stack, 'NAV', 'rsa');
    const body = {
      recipient: { nationalId: citizenB },
      title: 'Utbetaling',
      documents: [
        {
          filename: 'brev.txt',
          mediaType: 'text/plain',
          content: await sealFor(rsa, platformKey, 'RSA body', false),
        },
      ],
    };
    const submitted = await send(rsa, body);
    expect(submitted.status).toBe(202);
    await api.as(rsa.apiKey).waitForState(submitted.body.id, 'delivered');
  });

  it.each(['ed25519', 'rsa3072'] as const)(
    'accepts letters made by GnuPG with an %s key: armored, binary, compressed, hidden recipient',
    async (algo) => {
      const gpg = new GnuPgAgency().init(platformKey, algo);
      const keys = await api.get('/v1/platform/keys');
      const fpr = keys.body.openpgp.fingerprint as string;
      const out = await stack.cli([
        'agency',
        'create',
        '--name',
        `Kommune (GnuPG ${algo})`,
        '--signing-key',
        gpg.keyFile(),
        '--json',
      ]);
      const gpgAgency = JSON.parse(out) as { apiKey: string };
      const variants: [string, string][] = [
        ['armored', gpg.sealTo(fpr, 'armored', ['--armor']).toString()],
        ['binary', gpg.sealTo(fpr, 'binary').toString('base64')],
        ['compressed', gpg.sealTo(fpr, 'zlib', ['--compress-algo', 'zlib', '--armor']).toString()],
        ['hidden recipient', gpg.sealTo(fpr, 'hidden', ['--throw-keyids']).toString('base64')],
      ];
      for (const [name, content] of variants) {
        const submitted = await api.as(gpgAgency.apiKey).post(
          '/v1/letters',
          {
            recipient: { nationalId: citizenB },
            title: `GnuPG ${name}`,
            documents: [{ filename: 'a.txt', mediaType: 'text/plain', content }],
          },
          { 'idempotency-key': randomUUID() },
        );
        expect(submitted.status).toBe(202);
        await api.as(gpgAgency.apiKey).waitForState(submitted.body.id, 'delivered');
      }
      gpg.close();
    },
  );

  it('holds a letter until publishAt, and lets the sender withdraw it before then', async () => {
    const later = new Date(Date.now() + 3_600_000).toISOString();
    const submitted = await send(agency, await letterTo(citizenA, 'Later', { publishAt: later }));
    const id = submitted.body.id as string;
    await new Promise((r) => setTimeout(r, 1_500));
    expect((await agencyApi.get(`/v1/letters/${id}`)).body.state).toBe('accepted');
    const withdrawn = await agencyApi.request('DELETE', `/v1/letters/${id}`);
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body.state).toBe('withdrawn');
    const delivered = await send(agency, await letterTo(citizenA, 'Now'));
    await agencyApi.waitForState(delivered.body.id, 'delivered');
    const late = await agencyApi.request('DELETE', `/v1/letters/${delivered.body.id}`);
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('letter.already_delivered');
  });

  it('forwards letters for a citizen who reserved against digital post to print', async () => {
    const reserved = makeSyntheticNorwegianId(new Date('1970-01-20'), 321, 'tenor');
    await stack.cli(['citizen', 'reserve', '--national-id', reserved]);
    const lookup = await agencyApi.post('/v1/recipients/lookup', {
      nationalIds: [reserved, citizenB],
      purpose: 'Sending a tax assessment',
    });
    expect(lookup.body.items.map((i: { status: string }) => i.status)).toEqual([
      'reserved',
      'active',
    ]);
    const submitted = await send(agency, await letterTo(reserved, 'On paper'));
    await agencyApi.waitForState(submitted.body.id, 'forwarded_to_print');
    const spooled = join(stack.env.PRINT_SPOOL_DIR!, submitted.body.id);
    await agencyApi.waitFor(async () => existsSync(spooled), 'the print spool');
    const file = readdirSync(spooled).find((f) => f.endsWith('vedtak.txt'))!;
    expect(readFileSync(join(spooled, file), 'utf8')).toBe('On paper');
  });

  it('writes recipient lookups to the citizen access log', async () => {
    await agencyApi.post('/v1/recipients/lookup', {
      nationalIds: [citizenB],
      purpose: 'Checking before sending a decision',
    });
    const log = await (await citizen(citizenB)).get('/v1/mailbox/access-log');
    expect(log.body.items[0]).toMatchObject({
      actor: { kind: 'agency', id: agency.id, name: 'Skatteetaten' },
      action: 'recipient.lookup',
      purpose: 'Checking before sending a decision',
    });
  });

  it('files letters in folders and restores them from trash', async () => {
    const submitted = await send(agency, await letterTo(citizenB, 'Folders'));
    const id = submitted.body.id as string;
    await agencyApi.waitForState(id, 'delivered');
    const me = await citizen(citizenB);
    expect(
      (await me.request('PATCH', `/v1/mailbox/letters/${id}`, { folder: 'archive' })).body.folder,
    ).toBe('archive');
    expect((await me.request('DELETE', `/v1/mailbox/letters/${id}`)).body.folder).toBe('trash');
    const trash = await me.get('/v1/mailbox/letters?folder=trash');
    expect(trash.body.items.map((l: { id: string }) => l.id)).toContain(id);
    expect(
      (await me.request('PATCH', `/v1/mailbox/letters/${id}`, { folder: 'inbox' })).body.folder,
    ).toBe('inbox');
  });

  it('pages the inbox newest first with a keyset cursor', async () => {
    const me = await citizen(citizenA);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: {
        body: { items: { id: string; deliveredAt: string }[]; nextCursor: string | null };
      } = await me.get(`/v1/mailbox/letters?limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.body.items.map((i) => i.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    const all = await me.get('/v1/mailbox/letters?limit=100');
    expect(seen).toEqual(all.body.items.map((i: { id: string }) => i.id));
    expect(seen.length).toBeGreaterThanOrEqual(2);
  });

  it('feeds the agency its events in log order with a resumable cursor', async () => {
    const first = await agencyApi.get('/v1/events?limit=3');
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(3);
    const indexes = first.body.items.map((e: { logIndex: number }) => e.logIndex);
    expect([...indexes].sort((a, b) => a - b)).toEqual(indexes);
    const rest = await agencyApi.get(`/v1/events?after=${first.body.nextCursor}&limit=1000`);
    expect(rest.body.items[0].logIndex).toBeGreaterThan(indexes[2]);
    const end = await agencyApi.get(`/v1/events?after=${rest.body.nextCursor}`);
    expect(end.body).toEqual({ items: [], nextCursor: rest.body.nextCursor });
  });
});

describe('access rules', () => {
  it("answers 404 for another citizen's letter and another agency's letter, as for a missing one", async () => {
    const submitted = await send(agency, await letterTo(citizenA, 'Private'));
    const id = submitted.body.id as string;
    await agencyApi.waitForState(id, 'delivered');
    const other = await citizen(citizenB);
    const theirs = await other.get(`/v1/mailbox/letters/${id}`);
    const missing = await other.get(`/v1/mailbox/letters/${randomUUID()}`);
    expect(theirs.status).toBe(404);
    expect(theirs.body).toEqual(missing.body);
    const stranger = await createAgency(stack, 'Another agency');
    expect((await api.as(stranger.apiKey).get(`/v1/letters/${id}`)).status).toBe(404);
    expect((await api.as(stranger.apiKey).get(`/v1/letters/${id}/receipts`)).status).toBe(404);
  });

  it('refuses credentials meant for another part of the API with 401, and a missing role with 403', async () => {
    expect((await api.as(agency.apiKey).get('/v1/mailbox/letters')).status).toBe(401);
    expect((await (await citizen(citizenA)).get('/v1/events')).status).toBe(401);
    expect((await api.get('/v1/mailbox/letters')).status).toBe(401);
    expect((await api.as('not-a-jwt').get('/v1/mailbox/letters')).status).toBe(401);
    const auditor = api.as(await stack.cli(['dev', 'token', '--auditor', 'Riksrevisjonen']));
    expect((await auditor.get('/v1/mailbox/letters')).status).toBe(403);
  });
});

describe('bad input gets a clear error and changes nothing', () => {
  async function countLetters(): Promise<number> {
    const db = new Client({ connectionString: stack.env.DATABASE_URL });
    await db.connect();
    try {
      const { rows } = await db.query<{ n: number }>(
        'SELECT (SELECT count(*) FROM letters) + (SELECT count(*) FROM documents) + (SELECT count(*) FROM outbox) AS n',
      );
      return Number(rows[0].n);
    } finally {
      await db.end();
    }
  }

  it.each([
    [
      'a missing Idempotency-Key',
      400,
      'idempotency.key_missing',
      async () => ({ headers: {}, body: await letterTo(citizenA, 'x') }),
    ],
    [
      'an unknown field',
      400,
      'request.invalid_body',
      async () => ({ body: { ...(await letterTo(citizenA, 'x')), priority: 'high' } }),
    ],
    [
      'a malformed national identity number',
      400,
      'recipient.invalid_national_id',
      async () => ({ body: await letterTo('12345678901', 'x') }),
    ],
    [
      'no documents',
      400,
      'request.invalid_body',
      async () => ({ body: { ...(await letterTo(citizenA, 'x')), documents: [] } }),
    ],
    [
      'a path in the filename',
      400,
      'request.invalid_body',
      async () => {
        const body = await letterTo(citizenA, 'x');
        body.documents[0].filename = '../../etc/passwd';
        return { body };
      },
    ],
    [
      'a media type off the list',
      400,
      'request.invalid_body',
      async () => {
        const body = await letterTo(citizenA, 'x');
        body.documents[0].mediaType = 'application/x-msdownload' as never;
        return { body };
      },
    ],
    [
      'content that is not OpenPGP',
      400,
      'openpgp.malformed',
      async () => {
        const body = await letterTo(citizenA, 'x');
        body.documents[0].content = Buffer.from('hello world, not a message').toString('base64');
        return { body };
      },
    ],
    ['malformed JSON', 400, 'request.malformed_json', async () => ({ raw: '{"recipient":' })],
    [
      'a body in another charset than UTF-8',
      415,
      'request.unsupported_charset',
      async () => ({
        body: await letterTo(citizenA, 'x'),
        headers: {
          'content-type': 'application/json; charset=utf-16',
          'idempotency-key': randomUUID(),
        },
      }),
    ],
  ])('answers %s with %i problem+json', async (_name, status, code, make) => {
    const before = await countLetters();
    const made = (await make()) as {
      body?: unknown;
      raw?: string;
      headers?: Record<string, string>;
    };
    const response = await api
      .as(agency.apiKey)
      .request(
        'POST',
        '/v1/letters',
        made.raw ?? made.body,
        made.headers ?? { 'idempotency-key': randomUUID() },
      );
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(response.body).toMatchObject({
      status,
      code,
      title: expect.any(String),
      detail: expect.any(String),
    });
    expect(JSON.stringify(response.body)).not.toMatch(/at .*\.js:\d+/);
    expect(await countLetters()).toBe(before);
  });

  it('answers 413 for a body over the limit', async () => {
    const response = await api
      .as(agency.apiKey)
      .request('POST', '/v1/letters', JSON.stringify({ title: 'x'.repeat(61 * 1024 * 1024) }), {
        'idempotency-key': randomUUID(),
      });
    expect(response.status).toBe(413);
    expect(response.body.code).toBe('request.too_large');
  });
});

describe('documentation and health', () => {
  it('serves OpenAPI, Swagger UI and health', async () => {
    const spec = await api.get('/openapi.json');
    expect(spec.body.openapi).toBe('3.1.0');
    expect(spec.body.paths['/v1/letters'].post.requestBody).toBeDefined();
    expect((await fetch(`${stack.baseUrl}/docs`)).status).toBe(200);
    expect((await api.get('/health')).body).toMatchObject({
      status: 'up',
      checks: { database: 'up', redis: 'up' },
    });
  });

  it('runs the worker and its OpenPGP threads below the priority of the API', () => {
    // Field 19 of /proc/PID/task/TID/stat, counted after the command name in parentheses.
    const niceOf = (pid: number, tid: number) =>
      Number(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').split(') ')[1].split(' ')[16]);
    const [apiPid, workerPid] = ['api', 'worker'].map(
      (name) => stack.processes.find((p) => p.name === name)!.child.pid!,
    );
    expect(niceOf(apiPid, apiPid)).toBe(0);
    expect(niceOf(workerPid, workerPid)).toBe(10);
    const niced = readdirSync(`/proc/${workerPid}/task`).filter(
      (tid) => niceOf(workerPid, Number(tid)) === 10,
    );
    // The main thread and the two OpenPGP threads (OPENPGP_THREADS=2) at least.
    expect(niced.length).toBeGreaterThanOrEqual(3);
  });
});

describe('agency keys over time', () => {
  it('verifies a letter sent before its key was revoked even when the worker sees it after', async () => {
    const nav = await createAgency(stack, 'NAV (keys)');
    const navApi = api.as(nav.apiKey);
    // No worker runs while the letter is sent and the key revoked.
    const worker = stack.processes.find((p) => p.name === 'worker')!;
    await worker.stop();
    const before = await send(nav, await letterTo(citizenB, 'Signed before revocation', {}, nav));
    const listing = JSON.parse(await stack.cli(['agency', 'list', '--json'])) as {
      id: string;
      signing_keys: { fingerprint: string }[];
    }[];
    const fingerprint = listing.find((a) => a.id === nav.id)!.signing_keys[0].fingerprint;
    await stack.cli(['agency', 'revoke-key', '--agency', nav.id, '--fingerprint', fingerprint]);
    const after = await send(nav, await letterTo(citizenB, 'Signed after revocation', {}, nav));
    stack.processes.splice(stack.processes.indexOf(worker), 1, startProcess('worker', stack.env));
    await navApi.waitForState(before.body.id, 'delivered');
    await navApi.waitForState(after.body.id, 'rejected');
    const receipts = await navApi.get(`/v1/letters/${after.body.id}/receipts`);
    const rejected = receipts.body.items.find((r: { type: string }) => r.type === 'rejected');
    expect(rejected.reason.code).toBe('openpgp.unknown_signer');
  });

  it('rotates an API key: the new key works and the old one is refused', async () => {
    const agencyX = await createAgency(stack, 'Rotating agency');
    const out = JSON.parse(
      await stack.cli(['agency', 'rotate-api-key', '--agency', agencyX.id, '--json']),
    ) as { apiKey: string };
    expect((await api.as(agencyX.apiKey).get('/v1/events')).status).toBe(401);
    expect((await api.as(out.apiKey).get('/v1/events')).status).toBe(200);
  });
});
