import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { leafHash, verifyConsistency, verifyInclusion, verifyReceipt } from '#evidence';
import { makeSyntheticNorwegianId } from '#identity';
import { verifyWebhook } from '../libs/letters/src/webhooks/webhook-signature';
import { createAgency, platformPublicKey, sealFor, type TestAgency } from './support/agency';
import { ApiClient } from './support/http';
import { ROOT, Stack } from './support/stack';

jest.setTimeout(90_000);

const stack = new Stack();
let api: ApiClient;
let agency: TestAgency;
let platformKey: string;
let auditor: ApiClient;
const citizenId = makeSyntheticNorwegianId(new Date('1975-05-17'), 171, 'tenor');

interface Received {
  id: string;
  body: string;
  valid: boolean;
}

/** A receiver as an agency would run it: verifies signatures; can be told to fail first. */
function receiver(secret: () => string, failFirst: number) {
  const received: Received[] = [];
  let calls = 0;
  const server: Server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      calls += 1;
      const headers = {
        id: String(req.headers['webhook-id']),
        timestamp: String(req.headers['webhook-timestamp']),
        signature: String(req.headers['webhook-signature']),
      };
      received.push({ id: headers.id, body, valid: verifyWebhook(secret(), headers, body) });
      res.statusCode = calls <= failFirst ? 500 : 200;
      res.end();
    });
  });
  return {
    received,
    calls: () => calls,
    listen: () =>
      new Promise<string>((resolve) =>
        server.listen(0, '127.0.0.1', () => {
          const address = server.address();
          resolve(
            `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/hook`,
          );
        }),
      ),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const b64u = (s: string) => Buffer.from(s, 'base64url');

beforeAll(async () => {
  await stack.start({
    TREE_HEAD_INTERVAL_MS: '300',
    WEBHOOK_BACKOFF_MS: '100',
    WEBHOOK_ATTEMPTS: '3',
  });
  api = new ApiClient(stack.baseUrl);
  agency = await createAgency(stack, 'Statens vegvesen');
  platformKey = await platformPublicKey(stack);
  auditor = api.as(await stack.cli(['dev', 'token', '--auditor', 'Riksrevisjonen']));
});

afterAll(() => stack.stop());

async function sendAndRead(): Promise<string> {
  const content = await sealFor(agency, platformKey, 'Evidence matters');
  const submitted = await api.as(agency.apiKey).post(
    '/v1/letters',
    {
      recipient: { nationalId: citizenId },
      title: 'Førerkort',
      documents: [{ filename: 'a.txt', mediaType: 'text/plain', content }],
    },
    { 'idempotency-key': randomUUID() },
  );
  const id = submitted.body.id as string;
  await api.as(agency.apiKey).waitForState(id, 'delivered');
  const citizen = api.as(await stack.cli(['dev', 'token', '--citizen', citizenId]));
  const letter = await citizen.get(`/v1/mailbox/letters/${id}`);
  await citizen.get(`/v1/mailbox/letters/${id}/documents/${letter.body.documents[0].id}`);
  await api.as(agency.apiKey).waitForState(id, 'read');
  return id;
}

describe('webhooks', () => {
  it('delivers each event once with a valid Standard Webhooks signature, retrying after failures', async () => {
    let secret = '';
    const hook = receiver(() => secret, 2);
    const url = await hook.listen();
    const created = await api.as(agency.apiKey).post('/v1/webhooks', { url });
    expect(created.status).toBe(201);
    secret = created.body.secret;
    expect(secret).toMatch(/^whsec_/);
    expect((await api.as(agency.apiKey).get('/v1/webhooks')).body.items[0]).not.toHaveProperty(
      'secret',
    );

    const letterId = await sendAndRead();
    const events = await api.waitFor(async () => {
      const ok = hook.received.filter((r) => r.valid);
      const types = new Set(
        ok.map((r) => (JSON.parse(r.body) as { type: string; letterId: string }).type),
      );
      return ['accepted', 'delivered', 'read'].every((t) => types.has(t)) ? ok : undefined;
    }, 'webhook events');
    expect(hook.received.every((r) => r.valid)).toBe(true);
    const bodies = events.map(
      (r) => JSON.parse(r.body) as { id: string; letterId: string; jws: string; logIndex: number },
    );
    expect(bodies.every((b) => b.letterId === letterId && b.jws.split('.').length === 3)).toBe(
      true,
    );
    // Retries repeat the same webhook-id, so a receiver can drop duplicates.
    expect(hook.calls()).toBeGreaterThan(new Set(hook.received.map((r) => r.id)).size);
    const feed = await api.as(agency.apiKey).get('/v1/events?limit=1000');
    for (const b of bodies)
      expect(feed.body.items.map((e: { id: string }) => e.id)).toContain(b.id);
    await hook.close();
  });

  it('marks a delivery failed after the last attempt and shows it to the agency', async () => {
    const other = await createAgency(stack, 'Lånekassen');
    const hook = receiver(() => '', 1_000);
    const created = await api
      .as(other.apiKey)
      .post('/v1/webhooks', { url: await hook.listen(), events: ['accepted'] });
    const content = await sealFor(other, platformKey, 'x');
    await api.as(other.apiKey).post(
      '/v1/letters',
      {
        recipient: { nationalId: citizenId },
        title: 'Studielån',
        documents: [{ filename: 'a.txt', mediaType: 'text/plain', content }],
      },
      { 'idempotency-key': randomUUID() },
    );
    const failed = await api.waitFor(async () => {
      const r = await api
        .as(other.apiKey)
        .get(`/v1/webhooks/${created.body.id}/deliveries?status=failed`);
      return r.body.items.length > 0 ? r.body.items : undefined;
    }, 'a failed delivery');
    expect(failed[0]).toMatchObject({ type: 'accepted', status: 'failed', attempts: 3 });
    expect(failed[0].lastError).toContain('500');
    expect(hook.calls()).toBe(3);
    await hook.close();
  });

  it('refuses an unknown event type and answers 404 for another agency’s webhook', async () => {
    expect(
      (
        await api
          .as(agency.apiKey)
          .post('/v1/webhooks', { url: 'http://127.0.0.1:1/x', events: ['opened'] })
      ).status,
    ).toBe(400);
    const created = await api
      .as(agency.apiKey)
      .post('/v1/webhooks', { url: 'http://127.0.0.1:1/x' });
    const stranger = await createAgency(stack, 'Stranger');
    expect(
      (await api.as(stranger.apiKey).request('DELETE', `/v1/webhooks/${created.body.id}`)).status,
    ).toBe(404);
    expect(
      (await api.as(agency.apiKey).request('DELETE', `/v1/webhooks/${created.body.id}`)).status,
    ).toBe(204);
  });
});

describe('auditors verify evidence', () => {
  let letterId: string;

  beforeAll(async () => {
    letterId = await sendAndRead();
  });

  it('serves a letter’s receipts with inclusion proofs against a signed tree head', async () => {
    const keys = (await api.get('/v1/platform/keys')).body.receipts.keys;
    const evidence = await api.waitFor(async () => {
      const r = await auditor.get(
        `/v1/audit/letters/${letterId}/evidence?purpose=${encodeURIComponent('Annual audit of Statens vegvesen')}`,
      );
      return r.body.receipts?.length >= 3 &&
        r.body.receipts.every((x: { inclusionProof: unknown }) => x.inclusionProof)
        ? r.body
        : undefined;
    }, 'evidence covered by a tree head');
    const root = b64u(evidence.treeHead.rootHash);
    for (const receipt of evidence.receipts) {
      const payload = await verifyReceipt(receipt.jws, keys);
      expect(payload.letterId).toBe(letterId);
      const { leafIndex, treeSize, path } = receipt.inclusionProof;
      expect(leafIndex).toBe(payload.logIndex);
      expect(
        verifyInclusion(
          leafHash(Buffer.from(receipt.jws)),
          leafIndex,
          treeSize,
          path.map(b64u),
          root,
        ),
      ).toBe(true);
    }
    const citizen = api.as(await stack.cli(['dev', 'token', '--citizen', citizenId]));
    const log = await citizen.get('/v1/mailbox/access-log');
    expect(log.body.items[0]).toMatchObject({
      actor: { kind: 'auditor', name: 'Riksrevisjonen' },
      action: 'audit.letter_evidence',
      purpose: 'Annual audit of Statens vegvesen',
    });
  });

  it('gives senders their receipts with inclusion proofs too', async () => {
    const receipts = await api.as(agency.apiKey).get(`/v1/letters/${letterId}/receipts`);
    expect(receipts.body.items.some((r: { inclusionProof?: unknown }) => r.inclusionProof)).toBe(
      true,
    );
  });

  it('proves that a later tree head extends an earlier one', async () => {
    const first = (await auditor.get('/v1/audit/tree-head')).body;
    await sendAndRead();
    const second = await api.waitFor(async () => {
      const h = (await auditor.get('/v1/audit/tree-head')).body;
      return h.treeSize > first.treeSize ? h : undefined;
    }, 'a larger tree head');
    const proof = await auditor.get(
      `/v1/audit/consistency?from=${first.treeSize}&to=${second.treeSize}`,
    );
    expect(
      verifyConsistency(
        first.treeSize,
        second.treeSize,
        proof.body.path.map(b64u),
        b64u(first.rootHash),
        b64u(second.rootHash),
      ),
    ).toBe(true);
    const heads = await auditor.get('/v1/audit/tree-heads');
    expect(heads.body.items.map((h: { treeSize: number }) => h.treeSize)).toEqual(
      expect.arrayContaining([first.treeSize, second.treeSize]),
    );
  });

  it('exports the log, which the offline verifier accepts, and names the first entry of a tampered copy', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'postkasse-evidence-'));
    const exported = await fetch(`${stack.baseUrl}/v1/audit/log`, {
      headers: {
        authorization: `Bearer ${await stack.cli(['dev', 'token', '--auditor', 'Riksrevisjonen'])}`,
      },
    });
    expect(exported.headers.get('content-type')).toContain('application/x-ndjson');
    const file = join(dir, 'log.ndjson');
    writeFileSync(file, await exported.text());
    const keyFile = join(dir, 'keys.json');
    writeFileSync(keyFile, JSON.stringify((await api.get('/v1/platform/keys')).body));
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, [join(ROOT, 'dist/apps/cli/src/main.js'), 'evidence', ...args], {
        encoding: 'utf8',
      });

    const ok = cli('verify', file, '--key', keyFile, '--save-head', join(dir, 'head.json'));
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/^OK: \d+ entries/);

    const lines = readFileSync(file, 'utf8').trim().split('\n');
    const entry = JSON.parse(lines[2]) as { index: number; jws: string };
    const [h, p, s] = entry.jws.split('.');
    const forged = JSON.parse(Buffer.from(p, 'base64url').toString()) as { type: string };
    forged.type = 'acknowledged';
    lines[2] = JSON.stringify({
      index: 2,
      jws: `${h}.${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${s}`,
    });
    writeFileSync(join(dir, 'tampered.ndjson'), `${lines.join('\n')}\n`);
    const bad = cli('verify', join(dir, 'tampered.ndjson'), '--key', keyFile);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('index 2');

    const dropped = [...readFileSync(file, 'utf8').trim().split('\n')];
    dropped.splice(1, 1);
    writeFileSync(join(dir, 'dropped.ndjson'), `${dropped.join('\n')}\n`);
    expect(cli('verify', join(dir, 'dropped.ndjson'), '--key', keyFile).status).toBe(1);

    // The next export, checked against the head saved from the first one.
    await sendAndRead();
    const next = await fetch(`${stack.baseUrl}/v1/audit/log`, {
      headers: {
        authorization: `Bearer ${await stack.cli(['dev', 'token', '--auditor', 'Riksrevisjonen'])}`,
      },
    });
    writeFileSync(join(dir, 'next.ndjson'), await next.text());
    const consistent = cli(
      'verify',
      join(dir, 'next.ndjson'),
      '--key',
      keyFile,
      '--previous',
      join(dir, 'head.json'),
    );
    expect(consistent.status).toBe(0);
    expect(consistent.stdout).toContain('consistent with the head');
  });

  it('keeps the audit API for auditors: 403 for a citizen, 401 for an agency key', async () => {
    const citizen = api.as(await stack.cli(['dev', 'token', '--citizen', citizenId]));
    expect((await citizen.get('/v1/audit/tree-head')).status).toBe(403);
    expect((await api.as(agency.apiKey).get('/v1/audit/tree-head')).status).toBe(401);
    expect((await auditor.get(`/v1/audit/letters/${randomUUID()}/evidence`)).status).toBe(404);
  });
});
