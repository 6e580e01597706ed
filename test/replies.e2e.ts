import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { sealReplyDocument } from '#crypto';
import { makeSyntheticNorwegianId } from '#identity';
import {
  GnuPgAgency,
  createAgency,
  generateAgencyKey,
  platformPublicKey,
  sealFor,
  type TestAgency,
} from './support/agency';
import { ApiClient } from './support/http';
import { Stack } from './support/stack';

/**
 * Issue 18: a citizen replies to a letter, encrypted in the client to the agency's key (here a
 * GnuPG key, as an agency would run one); the agency collects the reply from its feed and opens
 * it with gpg and with the CLI; both sides get receipts, and the citizen's verifies offline.
 */
jest.setTimeout(120_000);

const stack = new Stack();
let api: ApiClient;
let agency: TestAgency;
let agencyApi: ApiClient;
let gnupg: GnuPgAgency;
let platformKey: string;
const dir = mkdtempSync(join(tmpdir(), 'postkasse-replies-'));

const writer = makeSyntheticNorwegianId(new Date('1981-03-14'), 181, 'tenor');
const neighbour = makeSyntheticNorwegianId(new Date('1979-11-02'), 182, 'tenor');
const refused = makeSyntheticNorwegianId(new Date('1990-06-30'), 183, 'tenor');
const eager = makeSyntheticNorwegianId(new Date('1966-01-09'), 184, 'tenor');
const messenger = makeSyntheticNorwegianId(new Date('1958-08-08'), 185, 'tenor');
const REPLY_LIMIT = 3;

async function citizen(nationalId: string): Promise<ApiClient> {
  return api.as(await stack.cli(['dev', 'token', '--citizen', nationalId]));
}

async function deliveredLetter(
  nationalId: string,
  extra: Record<string, unknown> = {},
): Promise<string> {
  const content = await sealFor(agency, platformKey, 'Vedtak om bostøtte');
  const sent = await agencyApi.post(
    '/v1/letters',
    {
      recipient: { nationalId },
      title: 'Vedtak om bostøtte',
      documents: [{ filename: 'vedtak.txt', mediaType: 'text/plain', content }],
      ...extra,
    },
    { 'idempotency-key': randomUUID() },
  );
  expect(sent.status).toBe(202);
  await agencyApi.waitForState(sent.body.id, 'delivered');
  return sent.body.id as string;
}

/** What the web client does: encrypt the reply with openpgp.js to the key the directory gives. */
async function sealReply(text: string, publicKey: string, armor = true): Promise<string> {
  if (armor) return sealReplyDocument(Buffer.from(text), { agencyPublicKey: publicKey });
  const encryptionKeys = await openpgp.readKey({ armoredKey: publicKey });
  const message = await openpgp.createMessage({ binary: Buffer.from(text) });
  const binary = await openpgp.encrypt({ message, encryptionKeys, format: 'binary' });
  return Buffer.from(binary as Uint8Array).toString('base64');
}

async function agencyKeyFromDirectory(): Promise<string> {
  const directory = await api.get('/v1/agencies');
  const listed = directory.body.items.find((a: { id: string }) => a.id === agency.id);
  return listed.encryptionKey.publicKey as string;
}

function hookReceiver() {
  const received: { id: string; body: Record<string, unknown> }[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ id: String(req.headers['webhook-id']), body: JSON.parse(body) });
      res.end();
    });
  });
  const url = new Promise<string>((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`);
    }),
  );
  return { received, url, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const hook = hookReceiver();

beforeAll(async () => {
  await stack.start({ TREE_HEAD_INTERVAL_MS: '300', REPLY_RATE_LIMIT: String(REPLY_LIMIT) });
  api = new ApiClient(stack.baseUrl);
  platformKey = await platformPublicKey(stack);
  agency = await createAgency(stack, 'Husbanken');
  agencyApi = api.as(agency.apiKey);
  gnupg = new GnuPgAgency().init(platformKey).addEncryptionSubkey();
  expect(
    (await agencyApi.post('/v1/webhooks', { url: await hook.url, events: ['reply.received'] }))
      .status,
  ).toBe(201);
});

afterAll(async () => {
  gnupg?.close();
  await hook.close();
  await stack.stop();
});

describe("an agency's encryption key and the directory", () => {
  it('refuses a key that cannot encrypt, and a private key, naming why', async () => {
    const signingOnly = join(dir, 'signing-only.asc');
    const signer = new GnuPgAgency().init(platformKey);
    writeFileSync(signingOnly, signer.publicKey());
    signer.close();
    await expect(
      stack.cli(['agency', 'add-encryption-key', '--agency', agency.id, '--key', signingOnly]),
    ).rejects.toThrow(/no usable encryption subkey/);
    const secret = join(dir, 'private.asc');
    writeFileSync(secret, (await generateAgencyKey()).privateKey);
    await expect(
      stack.cli(['agency', 'add-encryption-key', '--agency', agency.id, '--key', secret]),
    ).rejects.toThrow(/private key/);
  });

  it('answers a reply with a clear 409 while the agency has no encryption key', async () => {
    const letterId = await deliveredLetter(refused, { replies: { allowed: true } });
    const reply = await (
      await citizen(refused)
    ).post(`/v1/mailbox/letters/${letterId}/replies`, {
      documents: [
        {
          filename: 'svar.txt',
          mediaType: 'text/plain',
          content: await sealReply('x', platformKey),
        },
      ],
    });
    expect(reply.status).toBe(409);
    expect(reply.body.code).toBe('reply.agency_cannot_receive');
  });

  it('lists the agency with its GnuPG key once registered, and its topics once set', async () => {
    const out = await stack.cli([
      'agency',
      'add-encryption-key',
      '--agency',
      agency.id,
      '--key',
      gnupg.keyFile(),
    ]);
    expect(out).toContain(gnupg.fingerprint.toLowerCase());
    const before = (await api.get('/v1/agencies')).body.items.find(
      (a: { id: string }) => a.id === agency.id,
    );
    expect(before).toMatchObject({ name: 'Husbanken', acceptsMessages: false, topics: [] });
    expect(before.encryptionKey.fingerprint).toBe(gnupg.fingerprint.toLowerCase());
    await stack.cli([
      'agency',
      'set-topics',
      '--agency',
      agency.id,
      '--topics',
      'bostotte,startlan',
    ]);
    const after = (await api.get('/v1/agencies')).body.items.find(
      (a: { id: string }) => a.id === agency.id,
    );
    expect(after).toMatchObject({ acceptsMessages: true, topics: ['bostotte', 'startlan'] });
  });
});

describe('a reply to a letter', () => {
  let letterId: string;
  let replyId: string;
  const text = 'Jeg klager på vedtaket. Se vedlagt dokumentasjon.';

  beforeAll(async () => {
    letterId = await deliveredLetter(writer, {
      replies: { allowed: true, until: new Date(Date.now() + 86_400_000).toISOString() },
    });
  });

  it('shows the letter as taking replies', async () => {
    const letter = await (await citizen(writer)).get(`/v1/mailbox/letters/${letterId}`);
    expect(letter.body.replies.allowed).toBe(true);
    expect(Date.parse(letter.body.replies.until)).toBeGreaterThan(Date.now());
  });

  it('is taken (202) with the staged reply_received receipt', async () => {
    const key = await agencyKeyFromDirectory();
    const sent = await (
      await citizen(writer)
    ).post(`/v1/mailbox/letters/${letterId}/replies`, {
      documents: [
        { filename: 'klage.txt', mediaType: 'text/plain', content: await sealReply(text, key) },
        {
          filename: 'vedlegg.txt',
          mediaType: 'text/plain',
          content: await sealReply('Vedlegg', key, false),
        },
      ],
    });
    expect(sent.status).toBe(202);
    replyId = sent.body.id;
    expect(sent.body.receipt).toMatchObject({
      type: 'reply_received',
      letterId,
      replyId,
      agencyId: agency.id,
      logIndex: null,
    });
    expect(sent.body.receipt.documents).toHaveLength(2);
  });

  it('reaches the agency’s feed, and gpg decrypts what it collects', async () => {
    const page = await agencyApi.waitFor(async () => {
      const r = await agencyApi.get('/v1/replies');
      return r.body.items.length > 0 ? r.body : undefined;
    }, 'the reply in the feed');
    expect(page.items[0]).toMatchObject({ id: replyId, letterId, topic: null, writtenAs: 'owner' });
    expect(page.nextCursor).toEqual(expect.any(String));
    const empty = await agencyApi.get(`/v1/replies?after=${encodeURIComponent(page.nextCursor)}`);
    expect(empty.body).toEqual({ items: [], nextCursor: page.nextCursor });

    const reply = await agencyApi.get(`/v1/replies/${replyId}`);
    expect(reply.status).toBe(200);
    expect(reply.body.documents.map((d: { filename: string }) => d.filename)).toEqual([
      'klage.txt',
      'vedlegg.txt',
    ]);
    const first = Buffer.from(reply.body.documents[0].content, 'base64');
    expect(reply.body.documents[0].size).toBe(first.length);
    expect(gnupg.decrypt(first).toString()).toBe(text);
    expect(gnupg.decrypt(Buffer.from(reply.body.documents[1].content, 'base64')).toString()).toBe(
      'Vedlegg',
    );
  });

  it('opens with the CLI and the agency’s private key', async () => {
    const out = join(mkdtempSync(join(dir, 'open-')));
    const printed = await stack.cli([
      'reply',
      'open',
      '--id',
      replyId,
      '--api-key',
      agency.apiKey,
      '--key',
      gnupg.secretKeyFile(),
      '--out',
      out,
    ]);
    expect(printed).toContain(`reply to letter ${letterId}`);
    expect(readFileSync(join(out, 'klage.txt'), 'utf8')).toBe(text);
  });

  it('is not another agency’s to read', async () => {
    const other = await createAgency(stack, 'Skatteetaten');
    expect((await api.as(other.apiKey).get(`/v1/replies/${replyId}`)).status).toBe(404);
    expect((await api.as(other.apiKey).get('/v1/replies')).body.items).toEqual([]);
  });

  it('gives the sender a replied receipt and the webhook reply.received', async () => {
    const events = await agencyApi.waitFor(async () => {
      const r = await agencyApi.get('/v1/events?limit=100');
      const types = r.body.items.map((e: { type: string }) => e.type);
      return types.includes('reply_received') ? types : undefined;
    }, 'reply events');
    expect(events).toEqual(expect.arrayContaining(['replied', 'reply_received']));
    const letter = await agencyApi.get(`/v1/letters/${letterId}`);
    expect(letter.body.timeline.map((t: { type: string }) => t.type)).toContain('replied');

    const delivered = await agencyApi.waitFor(
      async () => hook.received.find((h) => h.body.type === 'reply.received'),
      'the reply.received webhook',
    );
    expect(delivered.body).toMatchObject({ letterId, type: 'reply.received' });
    // The webhook asked for reply.received only: the replied receipt is not delivered to it.
    expect(hook.received.every((h) => h.body.type === 'reply.received')).toBe(true);
  });

  it('gives the citizen a receipt that the CLI verifies offline', async () => {
    const writerApi = await citizen(writer);
    const listed = await writerApi.waitFor(async () => {
      const r = await writerApi.get(`/v1/mailbox/letters/${letterId}/replies`);
      return r.body.items[0]?.receipt.inclusionProof ? r.body.items : undefined;
    }, 'a proof of the reply receipt');
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ id: replyId, writtenAs: 'owner' });
    expect(listed[0].receipt.documents[0].ciphertextSha256).toBe(listed[0].documents[0].sha256);
    const file = join(dir, 'reply-receipt.json');
    writeFileSync(file, JSON.stringify(listed[0]));
    const verified = await stack.cli([
      'evidence',
      'verify-receipt',
      file,
      '--key',
      `${stack.baseUrl}/v1/platform/keys`,
    ]);
    expect(verified).toMatch(new RegExp(`^OK: reply_received receipt of letter ${letterId}`));

    // One character of the signature changed (in the middle: every bit of it counts).
    const [header, payload, signature] = (listed[0].receipt.jws as string).split('.');
    const flipped = signature![10] === 'A' ? 'B' : 'A';
    const forgedJws = `${header}.${payload}.${signature!.slice(0, 10)}${flipped}${signature!.slice(11)}`;
    const forged = { ...listed[0].receipt, jws: forgedJws };
    writeFileSync(file, JSON.stringify(forged));
    await expect(
      stack.cli(['evidence', 'verify-receipt', file, '--key', `${stack.baseUrl}/v1/platform/keys`]),
    ).rejects.toThrow(/FAILED/);
  });

  it('is allowed and answered from a batch as from a single letter', async () => {
    const content = await sealFor(agency, platformKey, 'Svar på klagen');
    const item = (extra: Record<string, unknown>) => ({
      idempotencyKey: randomUUID(),
      recipient: { nationalId: writer },
      title: 'Svar på klage',
      documents: [{ filename: 'svar.txt', mediaType: 'text/plain', content }],
      ...extra,
    });
    const batch = await agencyApi.post(
      '/v1/letter-batches',
      {
        letters: [
          item({ inReplyTo: replyId, replies: { allowed: true } }),
          item({ inReplyTo: randomUUID() }),
        ],
      },
      { 'idempotency-key': randomUUID() },
    );
    expect(batch.status).toBe(200);
    expect(batch.body.items.map((i: { status: number }) => i.status)).toEqual([202, 400]);
    expect(batch.body.items[1].problem.code).toBe('letter.unknown_reply');
    const id = batch.body.items[0].id as string;
    await agencyApi.waitForState(id, 'delivered');
    const view = await (await citizen(writer)).get(`/v1/mailbox/letters/${id}`);
    expect(view.body).toMatchObject({
      inReplyTo: replyId,
      replies: { allowed: true, until: null },
    });
  });

  it('is answered by a letter in the thread (inReplyTo), and only with a reply of its own', async () => {
    const answerId = await deliveredLetter(writer, { inReplyTo: replyId });
    const answer = await (await citizen(writer)).get(`/v1/mailbox/letters/${answerId}`);
    expect(answer.body.inReplyTo).toBe(replyId);

    const content = await sealFor(agency, platformKey, 'x');
    const stranger = await agencyApi.post(
      '/v1/letters',
      {
        recipient: { nationalId: neighbour },
        title: 'Svar',
        documents: [{ filename: 'svar.txt', mediaType: 'text/plain', content }],
        inReplyTo: replyId,
      },
      { 'idempotency-key': randomUUID() },
    );
    expect(stranger.status).toBe(400);
    expect(stranger.body.code).toBe('letter.unknown_reply');
  });
});

describe('a new message to an agency', () => {
  let messageId: string;

  async function send(body: Record<string, unknown>) {
    return (await citizen(messenger)).post('/v1/mailbox/messages', body);
  }

  it('is taken on one of the agency’s topics, with the writer’s receipt', async () => {
    const key = await agencyKeyFromDirectory();
    const sent = await send({
      agencyId: agency.id,
      topic: 'startlan',
      documents: [
        {
          filename: 'soknad.txt',
          mediaType: 'text/plain',
          content: await sealReply('Søknad', key),
        },
      ],
    });
    expect(sent.status).toBe(202);
    messageId = sent.body.id;
    // It starts a thread of its own: its receipt is filed under the message's id.
    expect(sent.body.receipt).toMatchObject({
      type: 'reply_received',
      letterId: messageId,
      replyId: messageId,
    });
  });

  it('reaches the agency with its topic and no letter, and gpg opens it', async () => {
    const item = await agencyApi.waitFor(async () => {
      const r = await agencyApi.get('/v1/replies?limit=100');
      return r.body.items.find((i: { id: string }) => i.id === messageId);
    }, 'the message in the feed');
    expect(item).toMatchObject({ topic: 'startlan', letterId: null, writtenAs: 'owner' });
    const full = await agencyApi.get(`/v1/replies/${messageId}`);
    expect(gnupg.decrypt(Buffer.from(full.body.documents[0].content, 'base64')).toString()).toBe(
      'Søknad',
    );
  });

  it('is in the writer’s Sent folder and on its own route, with a receipt that verifies', async () => {
    const mine = await citizen(messenger);
    const sent = await mine.get('/v1/mailbox/sent');
    expect(sent.body.items.map((i: { id: string }) => i.id)).toEqual([messageId]);
    expect(sent.body.items[0]).toMatchObject({
      topic: 'startlan',
      agency: { id: agency.id, name: 'Husbanken' },
    });
    const own = await mine.waitFor(async () => {
      const r = await mine.get(`/v1/mailbox/replies/${messageId}`);
      return r.body.receipt?.inclusionProof ? r.body : undefined;
    }, 'a proof of the message receipt');
    const file = join(dir, 'message-receipt.json');
    writeFileSync(file, JSON.stringify(own));
    expect(
      await stack.cli([
        'evidence',
        'verify-receipt',
        file,
        '--key',
        `${stack.baseUrl}/v1/platform/keys`,
      ]),
    ).toMatch(/^OK: reply_received receipt/);
    expect((await (await citizen(writer)).get(`/v1/mailbox/replies/${messageId}`)).status).toBe(
      404,
    );
  });

  it('refuses a topic the agency does not list (400) and an agency that takes none (409)', async () => {
    const key = await agencyKeyFromDirectory();
    const documents = [
      { filename: 'a.txt', mediaType: 'text/plain', content: await sealReply('x', key) },
    ];
    const topic = await send({ agencyId: agency.id, topic: 'skatt', documents });
    expect(topic.status).toBe(400);
    expect(topic.body.code).toBe('message.unknown_topic');
    expect(topic.body.detail).toContain('bostotte, startlan');

    await stack.cli(['agency', 'set-topics', '--agency', agency.id, '--none']);
    const none = await send({ agencyId: agency.id, topic: 'startlan', documents });
    expect(none.status).toBe(409);
    expect(none.body.code).toBe('message.not_accepted');
    const listed = (await api.get('/v1/agencies')).body.items.find(
      (a: { id: string }) => a.id === agency.id,
    );
    expect(listed).toMatchObject({ acceptsMessages: false, topics: [] });
  });
});

describe('refused replies', () => {
  let key: string;
  beforeAll(async () => {
    key = await agencyKeyFromDirectory();
  });

  async function reply(nationalId: string, letterId: string, content: string) {
    return (await citizen(nationalId)).post(`/v1/mailbox/letters/${letterId}/replies`, {
      documents: [{ filename: 'svar.txt', mediaType: 'text/plain', content }],
    });
  }

  it('refuses a letter that takes no replies, and one whose time is up', async () => {
    const closedLetter = await deliveredLetter(refused);
    const none = await reply(refused, closedLetter, await sealReply('svar', key));
    expect(none.status).toBe(409);
    expect(none.body.code).toBe('reply.not_allowed');

    const late = await deliveredLetter(refused, {
      replies: { allowed: true, until: new Date(Date.now() - 60_000).toISOString() },
    });
    const tooLate = await reply(refused, late, await sealReply('svar', key));
    expect(tooLate.status).toBe(409);
    expect(tooLate.body.code).toBe('reply.closed');
    expect(tooLate.body.detail).toMatch(/were taken until/);
  });

  it("answers another person's letter exactly as a missing one: 404", async () => {
    const theirs = await deliveredLetter(neighbour, { replies: { allowed: true } });
    const response = await reply(writer, theirs, await sealReply('svar', key));
    expect(response.status).toBe(404);
    expect(response.body.code).toBe('letter.not_found');
  });

  it('refuses what is not a message encrypted to the agency, storing nothing (400)', async () => {
    const letterId = await deliveredLetter(neighbour, { replies: { allowed: true } });
    const plain = await reply(
      neighbour,
      letterId,
      Buffer.from('Klage i klartekst').toString('base64'),
    );
    expect(plain.status).toBe(400);
    expect(plain.body.detail).toMatch(/^documents\[0\]\.content: /);

    const toPlatform = await reply(neighbour, letterId, await sealReply('svar', platformKey));
    expect(toPlatform.status).toBe(400);
    expect(toPlatform.body.code).toBe('openpgp.not_encrypted_to_recipient');

    // Beside the agency's session key, one anyone with the password opens.
    const withPassword = await openpgp.encrypt({
      message: await openpgp.createMessage({ binary: Buffer.from('svar') }),
      encryptionKeys: await openpgp.readKey({ armoredKey: key }),
      passwords: ['hemmelig'],
    });
    const leaky = await reply(neighbour, letterId, withPassword as string);
    expect(leaky.status).toBe(400);
    expect(leaky.body.detail).toMatch(/nothing else/);

    const mine = await (await citizen(neighbour)).get(`/v1/mailbox/letters/${letterId}/replies`);
    expect(mine.body.items).toEqual([]);
  });

  it('limits how many replies one person sends (429 with Retry-After)', async () => {
    const letterId = await deliveredLetter(eager, { replies: { allowed: true } });
    for (let i = 0; i < REPLY_LIMIT; i += 1)
      expect((await reply(eager, letterId, await sealReply(`svar ${i}`, key))).status).toBe(202);
    const over = await reply(eager, letterId, await sealReply('én til', key));
    expect(over.status).toBe(429);
    expect(over.body.code).toBe('reply.rate_limited');
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('letter send from the command line', () => {
  it('sends a letter that takes replies until a time, and one that answers a reply', async () => {
    const signing = join(dir, 'agency-signing.asc');
    writeFileSync(signing, agency.privateKey);
    const file = join(dir, 'vedtak.txt');
    writeFileSync(file, 'Vedtak');
    const until = '2031-01-31T12:00:00.000Z';
    const send = (...extra: string[]) =>
      stack.cli([
        'letter',
        'send',
        '--api-key',
        agency.apiKey,
        '--signing-key',
        signing,
        '--to',
        writer,
        '--title',
        'Vedtak',
        ...extra,
        file,
      ]);
    const sent = JSON.parse(await send('--replies-until', until)) as { id: string };
    await agencyApi.waitForState(sent.id, 'delivered');
    const view = await (await citizen(writer)).get(`/v1/mailbox/letters/${sent.id}`);
    expect(view.body.replies).toEqual({ allowed: true, until });
    await expect(send('--in-reply-to', randomUUID())).rejects.toThrow(
      /letter\.unknown_reply|not a reply/,
    );
  });
});
