import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_ORGANISATION, makeSyntheticNorwegianId } from '#identity';
import { createAgency, platformPublicKey, sealFor, type TestAgency } from './support/agency';
import { conforms } from './support/contract';
import { ApiClient } from './support/http';
import { OrganisationFixture } from './support/organisations';
import { SmtpTransactionSink } from './support/smtp-transactions';
import { Stack } from './support/stack';

jest.setTimeout(120_000);

const ORGANISATION = '974760673';
const SECOND_ORGANISATION = '910079190';
const UNKNOWN_ORGANISATION = '910158384';

const stack = new Stack();
let sink: SmtpTransactionSink;
let api: ApiClient;
let agency: TestAgency;
let agencyApi: ApiClient;
let platformKey: string;
let orgs: OrganisationFixture;

let serial = 0;
function newPerson(): string {
  serial += 1;
  return makeSyntheticNorwegianId(
    new Date(1970 + serial, serial % 12, 2 + serial),
    200 + serial,
    'tenor',
  );
}

async function letter(recipient: object, title: string, extra: Record<string, unknown> = {}) {
  return {
    recipient,
    title,
    documents: [
      {
        filename: 'brev.txt',
        mediaType: 'text/plain',
        content: await sealFor(agency, platformKey, `Innhold: ${title}`),
      },
    ],
    ...extra,
  };
}

async function send(body: object, key = randomUUID()) {
  return agencyApi.post('/v1/letters', body, { 'idempotency-key': key });
}

async function receipts(letterId: string) {
  const r = await agencyApi.get(`/v1/letters/${letterId}/receipts`);
  return r.body.items as { type: string; kind?: string; reason?: { code: string } }[];
}

function waitForReceipt(letterId: string, type: string) {
  return api.waitFor(
    async () => (await receipts(letterId)).find((r) => r.type === type),
    `${type} for ${letterId}`,
    30_000,
  );
}

/** A person with a confirmed address of their own, set and confirmed through the API. */
async function personWithAddress(email: string): Promise<string> {
  const nationalId = newPerson();
  const me = api.as(await stack.cli(['dev', 'token', '--citizen', nationalId]));
  expect(
    (await me.request('PUT', '/v1/mailbox/settings', { notificationEmail: email })).status,
  ).toBe(200);
  const [confirmation] = await api.waitFor(
    async () => (sink.to(email).length > 0 ? sink.to(email) : undefined),
    `the confirmation link to ${email}`,
  );
  const token = /token=([A-Za-z0-9_-]+)/.exec(confirmation.mail.text ?? '')![1];
  expect((await api.post('/v1/email-confirmation', { token })).status).toBe(200);
  return nationalId;
}

const lettersIn = () => orgs.count('SELECT count(*) AS n FROM letters', []);

beforeAll(async () => {
  sink = new SmtpTransactionSink();
  const port = await sink.start();
  await stack.start({
    SMTP_URL: `smtp://127.0.0.1:${port}/?tls.rejectUnauthorized=false`,
    MAIL_FROM: 'Postkasse <varsel@post.example.test>',
    NOTIFY_BACKOFF_MS: '250',
    RELAY_INTERVAL_MS: '200',
  });
  api = new ApiClient(stack.baseUrl);
  platformKey = await platformPublicKey(stack);
  agency = await createAgency(stack, 'Brønnøysundregistrene');
  agencyApi = api.as(agency.apiKey);
  orgs = await OrganisationFixture.open(stack);
});

afterAll(async () => {
  await orgs?.close();
  await stack.stop();
  await sink.stop();
});

describe('a letter to an organisation', () => {
  it("is delivered to the organisation's mailbox, made by its first letter, and shown to the sender as sent", async () => {
    const key = randomUUID();
    const body = await letter({ organisationNumber: ORGANISATION }, 'Årsregnskap mottatt');
    const sent = await send(body, key);
    expect(sent.status).toBe(202);
    await agencyApi.waitForState(sent.body.id, 'delivered');
    const view = conforms(
      'get',
      '/v1/letters/{id}',
      await agencyApi.get(`/v1/letters/${sent.body.id}`),
    );
    expect(view).toMatchObject({
      recipient: { kind: 'organisation', organisationNumber: ORGANISATION },
      confidential: false,
    });
    expect(await orgs.mailboxOf(ORGANISATION)).toMatchObject({ kind: 'organisation' });

    // The same key and body replays the first answer; no second letter, no second mailbox.
    const before = await lettersIn();
    const again = await send(body, key);
    expect(again.status).toBe(202);
    expect(again.headers.get('idempotency-replayed')).toBe('true');
    expect(again.body.id).toBe(sent.body.id);
    expect(await lettersIn()).toBe(before);
    expect(
      await orgs.count('SELECT count(*) AS n FROM mailboxes WHERE organisation_number = $1', [
        ORGANISATION,
      ]),
    ).toBe(1);
  });

  it('shows the sender no national id for a letter to a person', async () => {
    const sent = await send(await letter({ nationalId: newPerson() }, 'Vedtak'));
    expect(sent.status).toBe(202);
    const view = conforms(
      'get',
      '/v1/letters/{id}',
      await agencyApi.get(`/v1/letters/${sent.body.id}`),
    );
    expect(view.recipient).toEqual({ kind: 'person' });
  });

  it('refuses an invalid organisation number or two recipients with a 400, storing nothing', async () => {
    const before = await lettersIn();
    const key = randomUUID();
    const bad = await send(await letter({ organisationNumber: '974760674' }, 'Feil nummer'), key);
    expect(conforms('post', '/v1/letters', bad)).toMatchObject({ status: 400 });
    expect(bad.body).toMatchObject({ code: 'recipient.invalid_organisation_number' });
    expect(bad.body.detail).toContain('recipient.organisationNumber');
    const both = await send(
      await letter({ organisationNumber: ORGANISATION, nationalId: newPerson() }, 'To mottakere'),
    );
    expect(both.status).toBe(400);
    expect(both.body.detail).toContain('exactly one of the two');
    expect(await lettersIn()).toBe(before);
    expect(
      await orgs.count('SELECT count(*) AS n FROM idempotency_keys WHERE key = $1', [key]),
    ).toBe(0);
    expect(await orgs.mailboxOf('974760674')).toBeNull();
  });

  it('goes in a batch beside letters to people, each answered on its own', async () => {
    const before = await lettersIn();
    const keys = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    const batch = await agencyApi.post(
      '/v1/letter-batches',
      {
        letters: [
          {
            idempotencyKey: keys[0],
            ...(await letter({ organisationNumber: ORGANISATION }, 'Purring')),
          },
          {
            idempotencyKey: keys[1],
            ...(await letter({ organisationNumber: SECOND_ORGANISATION }, 'Fortrolig', {
              confidential: true,
            })),
          },
          {
            idempotencyKey: keys[2],
            ...(await letter({ nationalId: newPerson() }, 'Til en person')),
          },
          { idempotencyKey: keys[3], ...(await letter({ organisationNumber: '123' }, 'Ugyldig')) },
        ],
      },
      { 'idempotency-key': randomUUID() },
    );
    const items = conforms('post', '/v1/letter-batches', batch).items as {
      status: number;
      id?: string;
      problem?: { code: string; detail: string };
    }[];
    expect(items.map((i) => i.status)).toEqual([202, 202, 202, 400]);
    expect(items[3].problem).toMatchObject({ code: 'recipient.invalid_organisation_number' });
    expect(items[3].problem!.detail).toContain('recipient.organisationNumber');
    expect(await lettersIn()).toBe(before + 3);
    for (const item of items.slice(0, 3)) await agencyApi.waitForState(item.id!, 'delivered');
    const confidential = await agencyApi.get(`/v1/letters/${items[1].id}`);
    expect(confidential.body).toMatchObject({
      confidential: true,
      recipient: { kind: 'organisation', organisationNumber: SECOND_ORGANISATION },
    });
  });
});

describe('a folder of letters to organisations', () => {
  it('is sent with the CLI, confidential, each file named by its organisation number', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'postkasse-organisations-'));
    for (const to of [ORGANISATION, SECOND_ORGANISATION])
      writeFileSync(join(dir, `${to}.txt`), `Brev til ${to}`);
    const keyFile = join(dir, '.signing.asc');
    writeFileSync(keyFile, agency.privateKey);
    const options = {
      '--api-key': agency.apiKey,
      '--signing-key': keyFile,
      '--dir': dir,
      '--title': 'Varsel til virksomheter',
    };
    const out = await stack.cli(
      ['letter', 'send-batch', '--organisations', '--confidential'].concat(
        ...Object.entries(options),
      ),
    );
    const items = (JSON.parse(out) as { items: { status: number; id: string }[] }).items;
    expect(items.map((i) => i.status)).toEqual([202, 202]);
    const views = await Promise.all(items.map((i) => agencyApi.get(`/v1/letters/${i.id}`)));
    // In file-name order.
    expect(views.map((v) => [v.body.recipient.organisationNumber, v.body.confidential])).toEqual([
      [SECOND_ORGANISATION, true],
      [ORGANISATION, true],
    ]);
  });
});

describe('looking up organisations', () => {
  it('answers people and organisations, an organisation never reserved', async () => {
    const person = newPerson();
    const found = await agencyApi.post('/v1/recipients/lookup', {
      nationalIds: [person],
      organisationNumbers: [ORGANISATION, UNKNOWN_ORGANISATION],
      purpose: 'Utsending av vedtak',
    });
    expect(conforms('post', '/v1/recipients/lookup', found).items).toEqual([
      { nationalId: person, status: 'active', publicKey: null, endToEnd: false },
      { organisationNumber: ORGANISATION, status: 'active', publicKey: null, endToEnd: false },
      {
        organisationNumber: UNKNOWN_ORGANISATION,
        status: 'active',
        publicKey: null,
        endToEnd: false,
      },
    ]);
    const bad = await agencyApi.post('/v1/recipients/lookup', {
      organisationNumbers: ['974760674'],
      purpose: 'Utsending av vedtak',
    });
    expect(conforms('post', '/v1/recipients/lookup', bad).status).toBe(400);
    expect(bad.body.detail).toContain('organisationNumbers[0]');
    const empty = await agencyApi.post('/v1/recipients/lookup', { purpose: 'Utsending av vedtak' });
    expect(empty.status).toBe(400);
    expect(empty.body.detail).toContain('at least one recipient');
  });
});

describe("an organisation's notifications", () => {
  let mailboxId: string;
  let cleared: string;
  let administrator: string;

  beforeAll(async () => {
    // The mailbox exists from the first letter above; its address as an administrator sets it.
    mailboxId = (await orgs.mailboxOf(ORGANISATION))!.id;
    await orgs.setConfirmedAddress(mailboxId, 'post@acme.example.test', 'Acme AS');
    cleared = await personWithAddress('kari@acme.example.test');
    administrator = await personWithAddress('nina@acme.example.test');
    const gone = await personWithAddress('lars@acme.example.test');
    const uncleared = await personWithAddress('ola@acme.example.test');
    const revoked = await personWithAddress('per@acme.example.test');
    const expired = await personWithAddress('siri@acme.example.test');
    await orgs.grant(mailboxId, cleared, { confidential: true });
    await orgs.grant(mailboxId, administrator, {
      confidential: true,
      role: 'administrator',
      access: 'read_write',
    });
    await orgs.grant(mailboxId, gone, { confidential: true });
    // Confirmed once, refused by its server now: the others are told all the same.
    sink.refused.add('lars@acme.example.test');
    await orgs.grant(mailboxId, uncleared, { confidential: false, access: 'read_write' });
    await orgs.grant(mailboxId, revoked, { confidential: true, revokedAt: new Date() });
    await orgs.grant(mailboxId, expired, {
      confidential: true,
      until: new Date(Date.now() - 1000),
    });
    // Someone granted confidential access who never set an address: nobody to tell.
    await orgs.grant(mailboxId, newPerson(), { confidential: true, role: 'administrator' });
  });

  it("tells the organisation's own address about a letter that is not confidential", async () => {
    const sent = await send(await letter({ organisationNumber: ORGANISATION }, 'Ny forskrift'));
    await waitForReceipt(sent.body.id, 'notified');
    const [email] = sink
      .about('Ny post fra Brønnøysundregistrene')
      .filter((t) => (t.mail.text ?? '').includes('Ny forskrift'));
    expect(email.rcptTo).toEqual(['post@acme.example.test']);
    expect(email.mail.text).toContain('Til: Acme AS');
    expect(email.mail.text).not.toContain('Innhold:');
  });

  it('tells only those with standing confidential access about a confidential letter, in one email, without its title', async () => {
    const before = sink.transactions.length;
    const sent = await send(
      await letter({ organisationNumber: ORGANISATION }, 'Varsel om bokettersyn', {
        confidential: true,
      }),
    );
    await waitForReceipt(sent.body.id, 'notified');
    const emails = sink.transactions.slice(before);
    expect(emails).toHaveLength(1);
    expect(emails[0].rcptTo.sort()).toEqual(['kari@acme.example.test', 'nina@acme.example.test']);
    // The worker logs it after the outcome is recorded: wait for the line, not the receipt.
    const warning = await api.waitFor(
      async () =>
        stack.processes
          .find((p) => p.name === 'worker')!
          .output()
          .split('\n')
          .find((line) => line.includes(sent.body.id) && line.includes('refused')),
      'the worker to log the refused recipient',
    );
    expect(warning).toContain('1 of 3 recipients were refused');
    expect(warning).not.toContain('lars@');
    // Bcc: no grantee learns another's address from the headers.
    expect(emails[0].mail.to).toBeUndefined();
    expect(emails[0].mail.text).toContain('Til: Acme AS');
    expect(emails[0].mail.text).toContain('merket fortrolig');
    expect(emails[0].mail.text).not.toContain('bokettersyn');
    expect(emails[0].mail.text).not.toContain('Innhold:');
  });

  it('records a failure, and sends nothing, when no one with confidential access has an address', async () => {
    const sent = await send(
      await letter({ organisationNumber: SECOND_ORGANISATION }, 'Ingen å varsle', {
        confidential: true,
      }),
    );
    const failed = await waitForReceipt(sent.body.id, 'notification_failed');
    expect(failed.reason?.code).toBe('notification.no_confidential_address');
    expect(sink.about('Ingen å varsle')).toHaveLength(0);
  });
});

describe('the demo seed', () => {
  it('sends two letters to a demo organisation, one of them confidential', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'postkasse-seed-'));
    // Run where `npm start` would, in a folder of its own: it writes dir/.secrets.
    const out = await stack.cli(['dev', 'seed'], dir);
    const state = JSON.parse(out) as {
      agencyId: string;
      organisation: { organisationNumber: string; name: string };
    };
    expect(state.organisation).toEqual({
      organisationNumber: DEMO_ORGANISATION.number,
      name: DEMO_ORGANISATION.name,
    });
    expect(
      await orgs.count(
        `SELECT count(*) AS n FROM letters l JOIN mailboxes mb ON mb.id = l.mailbox_id
          WHERE l.agency_id = $1 AND mb.organisation_number = $2 AND l.confidential`,
        [state.agencyId, DEMO_ORGANISATION.number],
      ),
    ).toBe(1);
    expect(
      await orgs.count(
        `SELECT count(*) AS n FROM letters l JOIN mailboxes mb ON mb.id = l.mailbox_id
          WHERE l.agency_id = $1 AND mb.organisation_number = $2`,
        [state.agencyId, DEMO_ORGANISATION.number],
      ),
    ).toBe(2);
  });
});
