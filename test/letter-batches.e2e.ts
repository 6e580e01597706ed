import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Client } from 'pg';
import { makeSyntheticNorwegianId } from '#identity';
import { createAgency, platformPublicKey, sealFor, type TestAgency } from './support/agency';
import { ApiClient } from './support/http';
import { Stack } from './support/stack';

jest.setTimeout(120_000);

const stack = new Stack();
let agency: TestAgency;
let agencyApi: ApiClient;
let platformKey: string;
let db: Client;
let bulkQueue: Queue;

const citizen = makeSyntheticNorwegianId(new Date('1979-06-01'), 321, 'tenor');
const other = makeSyntheticNorwegianId(new Date('1981-02-17'), 654, 'tenor');

/** Armored by default; base64 of the binary form, streamed and decoded as it arrives, if not. */
async function letter(text: string, to = citizen, armor = true) {
  return {
    recipient: { nationalId: to },
    title: 'Informasjon om eiendomsskatt',
    documents: [
      {
        filename: 'brev.txt',
        mediaType: 'text/plain',
        content: await sealFor(agency, platformKey, text, armor),
      },
    ],
  };
}

function sendBatch(letters: unknown[], key = randomUUID()) {
  return agencyApi.post('/v1/letter-batches', { letters }, { 'idempotency-key': key });
}

async function count(sql: string, params: unknown[]): Promise<number> {
  const { rows } = await db.query<{ n: string }>(sql, params);
  return Number(rows[0].n);
}

const deliveredReceipts = (id: string) =>
  count(`SELECT count(*) AS n FROM receipts WHERE letter_id = $1 AND type = 'delivered'`, [id]);

async function stateOf(id: string): Promise<string> {
  return (await agencyApi.get(`/v1/letters/${id}`)).body.state as string;
}

beforeAll(async () => {
  await stack.start({ WORKER_BULK_CONCURRENCY: '1' });
  platformKey = await platformPublicKey(stack);
  agency = await createAgency(stack, 'Kommune');
  agencyApi = new ApiClient(stack.baseUrl).as(agency.apiKey);
  db = new Client({ connectionString: stack.env.DATABASE_URL });
  await db.connect();
  bulkQueue = new Queue('deliver-bulk', {
    connection: { url: stack.env.REDIS_URL },
    prefix: stack.env.QUEUE_PREFIX,
  });
});

afterAll(async () => {
  await bulkQueue?.close();
  await db?.end();
  await stack.stop();
});

describe('an agency sends letters in batches', () => {
  it('answers each letter in order, stores only the valid ones and delivers each once from the bulk queue', async () => {
    const keys = ['a', 'b', 'c', 'd', 'e'].map((k) => `${k}-${randomUUID()}`);
    const good = await letter('Første brev');
    const answer = await sendBatch([
      { idempotencyKey: keys[0], ...good },
      { idempotencyKey: keys[1], ...(await letter('Uten tittel')), title: '' },
      { idempotencyKey: keys[2], ...(await letter('Til feil nummer', '12345678901')) },
      {
        idempotencyKey: keys[3],
        ...good,
        documents: [{ ...good.documents[0], content: 'not an OpenPGP message' }],
      },
      { idempotencyKey: keys[4], ...(await letter('Andre brev', other, false)) },
      { ...(await letter('Uten nøkkel')) },
    ]);
    expect(answer.status).toBe(200);
    const items = answer.body.items as Record<string, any>[];
    expect(items.map((i) => [i.idempotencyKey, i.status])).toEqual([
      [keys[0], 202],
      [keys[1], 400],
      [keys[2], 400],
      [keys[3], 400],
      [keys[4], 202],
      [null, 400],
    ]);
    expect(items[1].problem).toMatchObject({ code: 'request.invalid_body', status: 400 });
    expect(items[1].problem.detail).toContain('title');
    expect(items[2].problem.detail).toContain('recipient.nationalId');
    expect(items[3].problem.code).toMatch(/^openpgp\./);
    expect(items[5].problem.detail).toContain('idempotencyKey');
    expect(items[0]).toMatchObject({ state: 'accepted', receipt: { type: 'accepted' } });

    const stored = await count(`SELECT count(*) AS n FROM letters WHERE agency_id = $1 AND bulk`, [
      agency.id,
    ]);
    expect(stored).toBe(2);
    for (const item of [items[0], items[4]]) {
      const job = await bulkQueue.getJob(`deliver-bulk-${item.id}`);
      expect(job?.data).toEqual({ letterId: item.id });
      await agencyApi.waitFor(async () => (await stateOf(item.id)) === 'delivered', 'delivery');
    }
    // Delivered once each, however often its job ran.
    await new Promise((r) => setTimeout(r, 500));
    expect(await deliveredReceipts(items[0].id)).toBe(1);
    expect(await deliveredReceipts(items[4].id)).toBe(1);
  });

  it('replays a batch with the same answers and stores nothing new', async () => {
    const batchKey = randomUUID();
    const letters = [
      { idempotencyKey: randomUUID(), ...(await letter('Gjentatt')) },
      { idempotencyKey: randomUUID(), ...(await letter('Ugyldig')), documents: [] },
    ];
    const first = await sendBatch(letters, batchKey);
    const before = await count('SELECT count(*) AS n FROM letters WHERE agency_id = $1', [
      agency.id,
    ]);
    const again = await sendBatch(letters, batchKey);
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotency-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(await count('SELECT count(*) AS n FROM letters WHERE agency_id = $1', [agency.id])).toBe(
      before,
    );

    const otherBody = await sendBatch(letters.slice(0, 1), batchKey);
    expect(otherBody.status).toBe(422);
    expect(otherBody.body.code).toBe('idempotency.key_reused');
  });

  it("replays a letter sent before under its key, and answers that key with another letter with the letter's 422", async () => {
    const key = randomUUID();
    const single = await letter('Sendt alene', citizen, false);
    const alone = await agencyApi.post('/v1/letters', single, { 'idempotency-key': key });
    expect(alone.status).toBe(202);
    const answer = await sendBatch([
      { idempotencyKey: key, ...single },
      { idempotencyKey: key, ...(await letter('Et annet brev')) },
    ]);
    expect(answer.status).toBe(200);
    // A single letter's key is bound to its raw body (DESIGN), which an item cannot reproduce.
    expect(answer.body.items[0]).toMatchObject({
      status: 422,
      problem: { code: 'idempotency.key_reused' },
    });
    expect(answer.body.items[1]).toMatchObject({
      status: 422,
      problem: { code: 'idempotency.key_reused' },
    });
  });

  it('refuses a request of more than 500 letters, or of none, as a whole', async () => {
    const tooMany = await sendBatch(Array.from({ length: 501 }, () => ({})));
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.detail).toContain('letters');
    expect((await sendBatch([])).status).toBe(400);
    const noKey = await agencyApi.post('/v1/letter-batches', { letters: [{}] });
    expect(noKey.status).toBe(400);
    expect(noKey.body.code).toBe('idempotency.key_missing');
  });

  it('delivers a single letter while a large batch is still being delivered', async () => {
    const sealed = await letter('Kampanje');
    const campaign = Array.from({ length: 120 }, (_, i) => ({
      idempotencyKey: `campaign-${i}-${randomUUID()}`,
      ...sealed,
    }));
    const batch = await sendBatch(campaign);
    expect(batch.status).toBe(200);
    const ids = (batch.body.items as { id: string; status: number }[]).map((i) => i.id);
    expect(ids.every(Boolean)).toBe(true);

    const single = await agencyApi.post('/v1/letters', await letter('Haster'), {
      'idempotency-key': randomUUID(),
    });
    expect(single.status).toBe(202);
    await agencyApi.waitFor(
      async () => (await stateOf(single.body.id)) === 'delivered',
      'the single letter',
    );
    const campaignDelivered = await count(
      `SELECT count(*) AS n FROM letters WHERE id = ANY($1::uuid[]) AND state <> 'accepted'`,
      [ids],
    );
    expect(campaignDelivered).toBeLessThan(ids.length);
    await agencyApi.waitFor(
      async () =>
        (await count(
          `SELECT count(*) AS n FROM letters WHERE id = ANY($1::uuid[]) AND state = 'delivered'`,
          [ids],
        )) === ids.length,
      'the campaign',
      90_000,
    );
  });

  it('sends a folder of letters with the CLI, in batches', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'postkasse-campaign-'));
    for (const to of [citizen, other]) writeFileSync(join(dir, `${to}.txt`), `Brev til ${to}`);
    writeFileSync(join(dir, '.hidden'), 'skipped');
    const out = await stack.cli([
      'letter',
      'send-batch',
      '--api-key',
      agency.apiKey,
      '--signing-key',
      writeKey(agency.privateKey),
      '--dir',
      dir,
      '--title',
      'Kampanje fra mappe',
      '--batch-size',
      '1',
    ]);
    const items = (JSON.parse(out) as { items: { status: number; id: string }[] }).items;
    expect(items.map((i) => i.status)).toEqual([202, 202]);
    for (const item of items) {
      expect(await bulkQueue.getJob(`deliver-bulk-${item.id}`)).toBeDefined();
      await agencyApi.waitFor(async () => (await stateOf(item.id)) === 'delivered', 'delivery');
    }
    expect(
      await count(
        `SELECT count(*) AS n FROM letter_batches WHERE agency_id = $1 AND key LIKE '%/batch-%'`,
        [agency.id],
      ),
    ).toBe(2);
  });
});

function writeKey(armored: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'postkasse-key-')), 'private.asc');
  writeFileSync(file, armored);
  return file;
}
