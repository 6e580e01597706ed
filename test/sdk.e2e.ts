import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { makeSyntheticNorwegianId } from '#identity';
import {
  followEvents,
  PostkasseClient,
  verifyReceipt,
  verifyReceiptInclusion,
  type BatchLetter,
  type CursorStore,
  type LetterEvent,
  type LetterRequest,
  type PlatformKeys,
} from '../packages/sdk/src';
import { createAgency, type TestAgency } from './support/agency';
import { ApiClient } from './support/http';
import { Stack } from './support/stack';

jest.setTimeout(90_000);

const stack = new Stack();
let agency: TestAgency;
let client: PostkasseClient;
let keys: PlatformKeys;
let api: ApiClient;
const citizenId = makeSyntheticNorwegianId(new Date('1981-02-03'), 412, 'tenor');

beforeAll(async () => {
  await stack.start({ TREE_HEAD_INTERVAL_MS: '300' });
  api = new ApiClient(stack.baseUrl);
  agency = await createAgency(stack, 'Skatteetaten');
  client = new PostkasseClient({ baseUrl: stack.baseUrl, apiKey: agency.apiKey });
  keys = await client.platformKeys();
});

afterAll(() => stack.stop());

/** A letter sealed with the SDK, as an agency's system would build it. */
async function sealedLetter(title: string): Promise<LetterRequest> {
  const documents = await client.sealForPlatform(
    [
      {
        filename: 'vedtak.txt',
        mediaType: 'text/plain',
        content: Buffer.from(`${title}: innvilget`),
      },
    ],
    { privateKey: agency.privateKey },
  );
  return { recipient: { nationalId: citizenId }, title, documents };
}

/** A client whose first answer is lost on the way back, after the API stored what it sent. */
function lossyClient() {
  let calls = 0;
  const lossy = new PostkasseClient({
    baseUrl: stack.baseUrl,
    apiKey: agency.apiKey,
    retry: { baseDelayMs: 50 },
    fetch: async (input, init) => {
      const response = await fetch(input, init);
      calls += 1;
      if (calls === 1) throw new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } });
      return response;
    },
  });
  return { lossy, calls: () => calls };
}

async function delivered(id: string) {
  return api.waitFor(async () => (await client.getLetter(id)).state === 'delivered', `${id}`);
}

/** A cursor kept in a file, so that a new follower starts where the last one stopped. */
function fileCursor(file: string): CursorStore {
  return {
    load: async () => (existsSync(file) ? readFileSync(file, 'utf8') : null),
    save: async (cursor) => writeFileSync(file, cursor),
  };
}

/** Follows the feed until `until` has been seen; returns every event this follower handled. */
async function followUntil(cursor: CursorStore, until: (e: LetterEvent) => boolean) {
  const seen: LetterEvent[] = [];
  const stop = new AbortController();
  const following = followEvents(client, {
    cursor,
    idleMs: 100,
    signal: stop.signal,
    onEvent: (event) => {
      seen.push(event);
      if (until(event)) stop.abort();
    },
  });
  const timeout = setTimeout(() => stop.abort(), 30_000);
  await following.finally(() => clearTimeout(timeout));
  return seen;
}

describe('an agency integration on the SDK', () => {
  it('sends a sealed letter and verifies its receipts and their inclusion in the log offline', async () => {
    const sent = await client.sendLetter(await sealedLetter('Skatteoppgjør'));
    expect(sent.state).toBe('accepted');
    await delivered(sent.id);
    const auditor = api.as(await stack.cli(['dev', 'token', '--auditor', 'Riksrevisjonen']));

    // Proven once a signed head covers both receipts; the auditor's head is the one a witness
    // would publish, and the log stops growing once the letter is delivered.
    const { receipts, head } = await api.waitFor(async () => {
      const receipts = await client.receipts(sent.id);
      const head = (await auditor.get('/v1/audit/tree-head')).body;
      const proven = receipts.filter((r) => r.jws && r.inclusionProof);
      const types = proven.map((r) => r.type);
      const current = proven.every((r) => r.inclusionProof!.treeSize === head.treeSize);
      return types.includes('accepted') && types.includes('delivered') && current
        ? { receipts: proven, head }
        : undefined;
    }, 'receipts covered by the current signed tree head');

    for (const receipt of receipts) {
      const payload = await verifyReceipt(receipt.jws!, keys.receipts.keys);
      expect(payload).toMatchObject({ letterId: sent.id, type: receipt.type, agencyId: agency.id });
      const proven = await verifyReceiptInclusion(
        receipt.jws!,
        receipt.inclusionProof!,
        head,
        keys.receipts.keys,
      );
      expect(proven.logIndex).toBe(receipt.logIndex);
    }
    const [first] = receipts;
    const [header, body, signature] = first.jws!.split('.');
    const forged = Buffer.from(body, 'base64url').toString().replace(agency.id, randomUUID());
    const tampered = `${header}.${Buffer.from(forged).toString('base64url')}.${signature}`;
    await expect(verifyReceipt(tampered, keys.receipts.keys)).rejects.toThrow(/does not verify/);
    const otherPath = { ...first.inclusionProof!, leafIndex: first.inclusionProof!.leafIndex + 1 };
    await expect(
      verifyReceiptInclusion(first.jws!, otherPath, head, keys.receipts.keys),
    ).rejects.toThrow();
  });

  it('stores one letter when a submission whose answer was lost is retried with its key', async () => {
    const { lossy, calls } = lossyClient();
    const title = `Restskatt ${randomUUID()}`;
    const letter = await sealedLetter(title);
    const key = randomUUID();
    const answer = await lossy.sendLetter(letter, { idempotencyKey: key });
    expect(calls()).toBe(2);
    // And again after a "crash": the agency resends with the key it stored.
    const again = await client.sendLetter(letter, { idempotencyKey: key });
    expect(again.id).toBe(answer.id);

    const db = new Client({ connectionString: stack.env.DATABASE_URL });
    await db.connect();
    try {
      const rows = await db.query('SELECT id FROM letters WHERE title = $1', [title]);
      expect(rows.rows).toEqual([{ id: answer.id }]);
    } finally {
      await db.end();
    }
  });

  it('sends a batch answered per letter in order; a retried batch replays it and stores nothing new', async () => {
    const title = `Eiendomsskatt ${randomUUID()}`;
    const letters: BatchLetter[] = [
      { idempotencyKey: randomUUID(), ...(await sealedLetter(title)) },
      { idempotencyKey: randomUUID(), ...(await sealedLetter(title)), title: '' },
      { idempotencyKey: randomUUID(), ...(await sealedLetter(title)) },
    ];
    const { lossy, calls } = lossyClient();
    const key = randomUUID();
    const answer = await lossy.sendBatch(letters, { idempotencyKey: key });
    expect(calls()).toBe(2);
    expect(answer.items.map((i) => [i.idempotencyKey, i.status])).toEqual([
      [letters[0].idempotencyKey, 202],
      [letters[1].idempotencyKey, 400],
      [letters[2].idempotencyKey, 202],
    ]);
    expect(answer.items[1].problem?.detail).toMatch(/title/);
    expect(answer.items[1].id).toBeUndefined();
    const ids = [answer.items[0].id, answer.items[2].id];
    expect((await client.getLetter(ids[0]!)).state).toMatch(/accepted|delivered/);

    const again = await client.sendBatch(letters, { idempotencyKey: key });
    expect(again).toEqual(answer);

    const db = new Client({ connectionString: stack.env.DATABASE_URL });
    await db.connect();
    try {
      const rows = await db.query('SELECT id FROM letters WHERE title = $1 ORDER BY id', [title]);
      expect(rows.rows.map((r: { id: string }) => r.id)).toEqual([...ids].sort());
    } finally {
      await db.end();
    }
  });

  it('follows the event feed from a saved cursor: a restarted follower sees each event once', async () => {
    const cursor = fileCursor(join(mkdtempSync(join(tmpdir(), 'postkasse-sdk-')), 'cursor'));
    const one = await client.sendLetter(await sealedLetter('Forskudd 1'));
    const before = await followUntil(
      cursor,
      (e) => e.letterId === one.id && e.type === 'delivered',
    );

    const two = await client.sendLetter(await sealedLetter('Forskudd 2'));
    const after = await followUntil(cursor, (e) => e.letterId === two.id && e.type === 'delivered');

    const seen = [...before, ...after].map((e) => e.id);
    expect(new Set(seen).size).toBe(seen.length);
    expect(after.map((e) => e.letterId)).toContain(two.id);
    // In log order, exactly the feed as read from its start, with nothing left out.
    const feed: string[] = [];
    let page = await client.events(undefined, 1000);
    while (page.items.length > 0) {
      feed.push(...page.items.map((e) => e.id));
      page = await client.events(page.nextCursor, 1000);
    }
    expect(seen).toEqual(feed.slice(0, seen.length));
  });
});
