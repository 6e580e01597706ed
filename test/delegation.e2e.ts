import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { Client } from 'pg';
import {
  DEMO_ORGANISATION,
  DEMO_PEOPLE,
  makeSyntheticNorwegianId,
  type DemoPerson,
} from '#identity';
import { createAgency, type TestAgency } from './support/agency';
import { DelegationFixture } from './support/delegation';
import { ApiClient } from './support/http';
import { Stack, freePort, startProcess, type RunningProcess } from './support/stack';

/**
 * Issue 16, the access side: one access model decides every read and write of every mailbox
 * route, at /v1/mailbox/… for the caller's own mailbox and /v1/mailboxes/{mailboxId}/… for any
 * other. The API and worker run as processes; a second API process shows a revocation holding
 * on the next request in every process.
 */
jest.setTimeout(180_000);

const stack = new Stack();
let api: ApiClient;
let otherApi: ApiClient;
let secondApi: RunningProcess;
let db: Client;
let agency: TestAgency;
let fx: DelegationFixture;

let serial = 300;
/** A fresh synthetic number born on `born` (so minors and adults can be made on purpose). */
function nid(born = '1970-01-01'): string {
  serial += 7;
  return makeSyntheticNorwegianId(new Date(born), serial % 500, 'tenor');
}
function minorNid(born: string): string {
  serial += 7;
  return makeSyntheticNorwegianId(new Date(born), 500 + (serial % 400), 'tenor');
}

const ORG = '910000004';
const OTHER_ORG = '974760673';
const yearsAgo = (n: number, days = 0) =>
  new Date(Date.now() - n * 365.25 * 86_400_000 - days * 86_400_000).toISOString().slice(0, 10);

interface Person {
  nid: string;
  name: string;
  token: string;
  client: ApiClient;
  ownMailbox: string;
}

const people: Record<string, Person> = {};

async function person(key: string, nationalId: string, name: string, adminOf?: string) {
  const token = await fx.token(nationalId, name, adminOf);
  const client = api.as(token);
  const me = await client.get('/v1/me');
  expect(me.status).toBe(200);
  people[key] = { nid: nationalId, name, token, client, ownMailbox: me.body.mailboxes[0].id };
  return people[key];
}

function cli(args: string[]) {
  return stack.cli(args).then((out) => JSON.parse(out));
}

const mailboxes: Record<string, string> = {};
const letters: Record<string, { id: string; doc: string }> = {};
let confidentialLetter: { id: string; doc: string };

beforeAll(async () => {
  await stack.start();
  api = new ApiClient(stack.baseUrl);
  db = new Client({ connectionString: stack.env.DATABASE_URL });
  await db.connect();
  agency = await createAgency(stack, 'Delegation agency');
  fx = new DelegationFixture(stack, db, agency, api);

  const owner = await person('owner', nid('1980-02-02'), 'Olav Eier');
  await person('readDelegate', nid('1981-03-03'), 'Rita Leser');
  await person('writeDelegate', nid('1982-04-04'), 'Willy Skriver');
  await person('expired', nid('1983-05-05'), 'Eva Utløpt');
  await person('stranger', nid('1984-06-06'), 'Stian Fremmed');
  await person('guardian', nid('1975-07-07'), 'Gro Verge');
  await person('formerGuardian', nid('1960-08-08'), 'Frode Verge');
  await person('executor', nid('1965-09-09'), 'Even Bobestyrer');
  await person('cliAdmin', nid('1970-10-10'), 'Anne Admin');
  await person('claimAdmin', nid('1971-11-11'), 'Kjell Krav', ORG);
  await person('confidentialEmployee', nid('1972-12-12'), 'Kari Konfidensiell');
  await person('employee', nid('1973-01-13'), 'Per Ansatt');
  await person('otherEmployee', nid('1974-02-14'), 'Ola Annenorg');
  mailboxes.owner = owner.ownMailbox;
  letters.owner = await fx.deliveredLetter(owner.nid, 'Til eieren');

  // A minor whose 18th birthday is years away, and one registered while a minor (the CLI
  // refuses adults) who is now of age: the record of the birth date says so.
  const guardianOf = async (guardian: Person, minor: string) =>
    (await cli(['guardian', 'add', '--guardian', guardian.nid, '--minor', minor, '--json']))
      .mailboxId as string;
  const minor = minorNid(yearsAgo(10));
  mailboxes.minor = await guardianOf(people.guardian, minor);
  letters.minor = await fx.deliveredLetter(minor, 'Til den mindreårige');
  const formerMinor = minorNid(yearsAgo(10));
  const former = { mailboxId: await guardianOf(people.formerGuardian, formerMinor) };
  mailboxes.grown = former.mailboxId;
  await db.query('UPDATE mailboxes SET minor_birth_date = $2::date WHERE id = $1', [
    former.mailboxId,
    yearsAgo(18, 1),
  ]);
  letters.grown = await fx.deliveredLetter(formerMinor, 'Til den myndige');

  const deceased = nid('1930-03-03');
  const until = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
  const estate = await cli([
    'estate',
    'grant',
    '--deceased',
    deceased,
    '--executor',
    people.executor.nid,
    '--until',
    until,
    '--json',
  ]);
  mailboxes.deceased = estate.mailboxId;
  letters.deceased = await fx.deliveredLetter(deceased, 'Til dødsboet');

  const betaAdmin = await person('betaAdmin', nid('1969-04-04'), 'Berit Beta');
  const registerOrg = async (number: string, name: string, admin: Person) =>
    (
      await cli([
        'org',
        'create',
        '--number',
        number,
        '--name',
        name,
        '--admin',
        admin.nid,
        '--json',
      ])
    ).id as string;
  mailboxes.org = await registerOrg(ORG, 'Acme AS', people.cliAdmin);
  mailboxes.otherOrg = await registerOrg(OTHER_ORG, 'Beta AS', betaAdmin);
  const org = { id: mailboxes.org };
  // Until letters can be addressed to an organisation, two are moved into its mailbox.
  letters.org = await fx.deliveredLetter(nid(), 'Til Acme');
  await fx.moveLetter(letters.org.id, org.id, false);
  confidentialLetter = await fx.deliveredLetter(nid(), 'Konfidensielt til Acme');
  await fx.moveLetter(confidentialLetter.id, org.id, true);

  // Grants through the API, by the owner and by the organisation's administrator.
  const grant = async (by: Person, mailboxId: string, body: Record<string, unknown>) => {
    const r = await by.client.post(`/v1/mailboxes/${mailboxId}/grants`, body);
    expect([r.status, r.body.code]).toEqual([201, undefined]);
    return r.body;
  };
  await grant(owner, mailboxes.owner, {
    grantee: { nationalId: people.readDelegate.nid },
    access: 'read',
  });
  await grant(owner, mailboxes.owner, {
    grantee: { nationalId: people.writeDelegate.nid },
    access: 'read_write',
    until: new Date(Date.now() + 86_400_000).toISOString(),
  });
  const expiring = await grant(owner, mailboxes.owner, {
    grantee: { nationalId: people.expired.nid },
    access: 'read_write',
    until: new Date(Date.now() + 60_000).toISOString(),
  });
  // Expired a minute ago: an end date in the past cannot be given, so it is set in the database.
  await db.query(`UPDATE grants SET until = now() - interval '1 minute' WHERE id = $1`, [
    expiring.id,
  ]);
  await grant(people.cliAdmin, mailboxes.org, {
    grantee: { nationalId: people.confidentialEmployee.nid },
    access: 'read_write',
    confidential: true,
  });
  await grant(people.cliAdmin, mailboxes.org, {
    grantee: { nationalId: people.employee.nid },
    access: 'read',
  });
  // Beta AS's employee, granted by Beta's operator-registered administrator.
  await grant(betaAdmin, mailboxes.otherOrg, {
    grantee: { nationalId: people.otherEmployee.nid },
    access: 'read_write',
    confidential: true,
  });

  // A second API process on the same database and Redis.
  const port = await freePort();
  // The same issuer as the first, as behind a load balancer (tokens name one issuer).
  secondApi = startProcess('api', {
    ...stack.env,
    PORT: String(port),
    OIDC_ISSUER: `${stack.baseUrl}/dev-oidc`,
  });
  stack.processes.push(secondApi);
  otherApi = new ApiClient(`http://127.0.0.1:${port}`);
  await api.waitFor(
    async () => (await fetch(`${otherApi.baseUrl}/health/ready`).catch(() => null))?.ok,
    'the second API process',
    30_000,
  );
});

afterAll(async () => {
  await db?.end();
  await stack.stop();
});

type Footing = 'owner' | 'read' | 'write' | 'manage' | 'none';

/**
 * Every mailbox route of a mailbox, with the status each footing gets: reads for anyone who may
 * act, writes (403 for a reader), grants for owners and administrators, 404 for everyone else.
 */
function routes(mailboxId: string, letter: { id: string; doc: string }) {
  const M = `/v1/mailboxes/${mailboxId}`;
  const L = `${M}/letters/${letter.id}`;
  const read = { owner: 200, manage: 200, write: 200, read: 200, none: 404 };
  const write = (ok: number) => ({ owner: ok, manage: ok, write: ok, read: 403, none: 404 });
  const grants = { owner: 200, manage: 200, write: 404, read: 404, none: 404 };
  return [
    ['GET', `${M}/letters`, undefined, read],
    ['GET', `${M}/letters?folder=archive`, undefined, read],
    ['GET', `${M}/summary`, undefined, read],
    ['GET', L, undefined, read],
    ['GET', `${L}/documents/${letter.doc}`, undefined, read],
    // Not a PDF: refused as such once the caller may read.
    ['POST', `${L}/documents/${letter.doc}/view-ticket`, undefined, read],
    ['GET', `${L}/sender-keys`, undefined, read],
    ['GET', `${M}/access-log`, undefined, read],
    ['GET', `${M}/settings`, undefined, read],
    ['GET', `${M}/key`, undefined, read],
    ['POST', `${L}/acknowledge`, undefined, write(200)],
    ['POST', `${L}/mark-unread`, undefined, write(200)],
    ['PATCH', L, { folder: 'archive' }, write(200)],
    ['DELETE', L, undefined, write(200)],
    ['PATCH', L, { folder: 'inbox' }, write(200)],
    ['PUT', `${M}/settings`, { language: 'nb' }, write(200)],
    ['DELETE', `${M}/key`, undefined, write(204)],
    ['POST', `${M}/settings/email-confirmation`, undefined, write(409)],
    ['GET', `${M}/grants`, undefined, grants],
  ] as const;
}

const expectedFor = (method: string, path: string, status: number) =>
  method === 'POST' && path.endsWith('/view-ticket') && status === 200 ? 409 : status;

describe('the access matrix', () => {
  const cases: [string, string, string, Footing][] = [
    ['owner', 'owner', 'owner', 'owner'],
    ['read delegate', 'readDelegate', 'owner', 'read'],
    ['read-write delegate', 'writeDelegate', 'owner', 'write'],
    ['expired grant', 'expired', 'owner', 'none'],
    ['stranger', 'stranger', 'owner', 'none'],
    ['guardian of a minor', 'guardian', 'minor', 'write'],
    ["guardian after the minor's 18th birthday", 'formerGuardian', 'grown', 'none'],
    ['executor', 'executor', 'deceased', 'read'],
    ['administrator registered by an operator', 'cliAdmin', 'org', 'manage'],
    ['administrator by token claim', 'claimAdmin', 'org', 'manage'],
    ['employee with confidential access', 'confidentialEmployee', 'org', 'write'],
    ['employee without confidential access', 'employee', 'org', 'read'],
    ['employee of another organisation', 'otherEmployee', 'org', 'none'],
    ['executor in a mailbox not the estate', 'executor', 'owner', 'none'],
  ];

  it.each(cases)(
    'answers every route as the rules say for the %s',
    async (_, who, box, footing) => {
      const caller = people[who];
      const mismatches: string[] = [];
      for (const [method, path, body, statuses] of routes(mailboxes[box], letters[box])) {
        const expected = expectedFor(method, path, statuses[footing]);
        const r = await caller.client.request(method, path, body);
        if (r.status !== expected)
          mismatches.push(`${method} ${path}: ${r.status}, expected ${expected}`);
        if (r.status >= 400 && !(r.headers.get('content-type') ?? '').includes('problem+json'))
          mismatches.push(`${method} ${path}: ${r.status} without problem+json`);
      }
      expect(mismatches).toEqual([]);
    },
  );

  it("keeps an administrator out of an employee's personal mailbox", async () => {
    const personal = `/v1/mailboxes/${people.employee.ownMailbox}/letters`;
    for (const admin of [people.cliAdmin, people.claimAdmin])
      expect((await admin.client.get(personal)).status).toBe(404);
  });

  it('answers a mailbox one may not act for exactly as a missing one', async () => {
    const strip = (r: { status: number; body: Record<string, unknown> }) => ({
      status: r.status,
      body: { ...r.body, requestId: undefined, instance: undefined },
    });
    const stranger = people.stranger.client;
    for (const path of ['letters', `letters/${letters.owner.id}`, 'settings', 'grants']) {
      const theirs = strip(await stranger.get(`/v1/mailboxes/${mailboxes.owner}/${path}`));
      const none = strip(await stranger.get(`/v1/mailboxes/${randomUUID()}/${path}`));
      expect(theirs).toEqual(none);
      expect(theirs.status).toBe(404);
    }
    // A letter of another mailbox through a mailbox one may act for: as a missing letter.
    const r = await people.readDelegate.client.get(
      `/v1/mailboxes/${mailboxes.owner}/letters/${letters.minor.id}`,
    );
    const missing = await people.readDelegate.client.get(
      `/v1/mailboxes/${mailboxes.owner}/letters/${randomUUID()}`,
    );
    expect(strip(r)).toEqual(strip(missing));
  });

  it('hides a confidential letter, in lists and by id, from an employee without that access', async () => {
    const listed = async (p: Person) =>
      (
        (await p.client.get(`/v1/mailboxes/${mailboxes.org}/letters`)).body.items as {
          id: string;
        }[]
      ).map((l) => l.id);
    expect(await listed(people.employee)).not.toContain(confidentialLetter.id);
    expect(await listed(people.confidentialEmployee)).toContain(confidentialLetter.id);
    expect(await listed(people.claimAdmin)).toContain(confidentialLetter.id);
    const byId = `/v1/mailboxes/${mailboxes.org}/letters/${confidentialLetter.id}`;
    expect((await people.employee.client.get(byId)).status).toBe(404);
    expect(
      (await people.employee.client.get(`${byId}/documents/${confidentialLetter.doc}`)).status,
    ).toBe(404);
    expect((await people.confidentialEmployee.client.get(byId)).status).toBe(200);
  });
});

describe('GET /v1/me', () => {
  it('lists the own mailbox first, then each mailbox with role, access, confidential and end', async () => {
    const me = await people.writeDelegate.client.get('/v1/me');
    expect(me.status).toBe(200);
    expect(me.body.principal).toEqual({ name: 'Willy Skriver' });
    expect(me.body.mailboxes).toEqual([
      expect.objectContaining({
        id: people.writeDelegate.ownMailbox,
        role: 'owner',
        kind: 'person',
      }),
      {
        id: mailboxes.owner,
        kind: 'person',
        name: 'Olav Eier',
        role: 'grantee',
        access: 'read_write',
        confidential: false,
        until: expect.stringMatching(/^\d{4}-/),
      },
    ]);
    const guardian = (await people.guardian.client.get('/v1/me')).body.mailboxes;
    expect(guardian[1]).toMatchObject({
      id: mailboxes.minor,
      role: 'guardian',
      access: 'read_write',
    });
    // The guardian's access ends on the minor's 18th birthday.
    expect(new Date(guardian[1].until).getTime()).toBeGreaterThan(
      Date.now() + 7 * 365 * 86_400_000,
    );
    const admin = (await people.claimAdmin.client.get('/v1/me')).body.mailboxes;
    expect(admin[1]).toEqual({
      id: mailboxes.org,
      kind: 'organisation',
      name: 'Acme AS',
      role: 'administrator',
      access: 'read_write',
      confidential: true,
      until: null,
    });
    const executor = (await people.executor.client.get('/v1/me')).body.mailboxes;
    expect(executor[1]).toMatchObject({ role: 'executor', access: 'read', id: mailboxes.deceased });
    const former = (await people.formerGuardian.client.get('/v1/me')).body.mailboxes;
    expect(former).toHaveLength(1);
    const expired = (await people.expired.client.get('/v1/me')).body.mailboxes;
    expect(expired).toHaveLength(1);
  });
});

describe('grants', () => {
  it("lists a mailbox's grants with the grantees by name once they have logged in", async () => {
    const newcomer = nid('1991-05-05');
    const made = await people.owner.client.post(`/v1/mailboxes/${mailboxes.owner}/grants`, {
      grantee: { nationalId: newcomer },
      access: 'read',
    });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ grantee: { name: null }, role: 'grantee', access: 'read' });
    const list = await people.owner.client.get(`/v1/mailboxes/${mailboxes.owner}/grants`);
    const names = (list.body.items as { grantee: { name: string | null } }[]).map(
      (g) => g.grantee.name,
    );
    expect(names).toEqual(expect.arrayContaining(['Rita Leser', 'Willy Skriver', null]));
    // Only an HMAC of the grantee's number is stored, and nothing that names them in clear.
    const { rows } = await db.query(`SELECT * FROM grants WHERE id = $1`, [made.body.id]);
    expect(JSON.stringify(rows)).not.toContain(newcomer);
    const { rows: audit } = await db.query(
      `SELECT action, details::text FROM operator_audit_log WHERE subject = $1 AND action = 'grant.create'`,
      [mailboxes.owner],
    );
    expect(audit.length).toBeGreaterThanOrEqual(4);
    expect(JSON.stringify(audit)).not.toContain(newcomer);
  });

  it('refuses bad grants with 400 naming the problem, and stores nothing', async () => {
    const before = await db.query('SELECT count(*)::int AS n FROM grants');
    const post = (by: Person, mailboxId: string, body: unknown) =>
      by.client.post(`/v1/mailboxes/${mailboxId}/grants`, body);
    const bad: [Person, string, unknown, string][] = [
      [
        people.owner,
        mailboxes.owner,
        { grantee: { nationalId: '12345678901' }, access: 'read' },
        'recipient.invalid_national_id',
      ],
      [
        people.owner,
        mailboxes.owner,
        { grantee: { nationalId: people.stranger.nid }, access: 'all' },
        'request.invalid_body',
      ],
      [
        people.owner,
        mailboxes.owner,
        { grantee: { nationalId: people.stranger.nid }, access: 'read', role: 'administrator' },
        'grant.invalid_role',
      ],
      [
        people.owner,
        mailboxes.owner,
        {
          grantee: { nationalId: people.stranger.nid },
          access: 'read',
          until: '2020-01-01T00:00:00Z',
        },
        'grant.until_past',
      ],
      [
        people.owner,
        mailboxes.owner,
        { grantee: { nationalId: people.owner.nid }, access: 'read' },
        'grant.self',
      ],
      [
        people.owner,
        mailboxes.owner,
        { grantee: { nationalId: people.stranger.nid }, access: 'read', extra: 1 },
        'request.invalid_body',
      ],
    ];
    for (const [by, mailboxId, body, code] of bad) {
      const r = await post(by, mailboxId, body);
      expect([r.status, r.body.code === code || r.body.code]).toEqual([400, true]);
      expect(r.headers.get('content-type')).toContain('problem+json');
      expect(r.body.detail).toEqual(expect.any(String));
    }
    // Delegates and employees do not manage access: the grants are not there for them.
    for (const [by, mailboxId] of [
      [people.writeDelegate, mailboxes.owner],
      [people.confidentialEmployee, mailboxes.org],
      [people.stranger, mailboxes.owner],
    ] as const) {
      const r = await post(by, mailboxId, {
        grantee: { nationalId: people.stranger.nid },
        access: 'read',
      });
      expect(r.status).toBe(404);
    }
    const after = await db.query('SELECT count(*)::int AS n FROM grants');
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });

  it('lets an administrator make another administrator, on an organisation only', async () => {
    const next = await person('nextAdmin', nid('1979-06-06'), 'Nils Neste');
    const made = await people.claimAdmin.client.post(`/v1/mailboxes/${mailboxes.org}/grants`, {
      grantee: { nationalId: next.nid },
      access: 'read',
      role: 'administrator',
    });
    expect(made.body).toMatchObject({
      role: 'administrator',
      access: 'read_write',
      confidential: true,
    });
    expect((await next.client.get(`/v1/mailboxes/${mailboxes.org}/grants`)).status).toBe(200);
  });

  it('takes access back on the very next request, in every API process', async () => {
    const revokee = await person('revokee', nid('1986-07-07'), 'Rolf Tilbake');
    const made = await people.owner.client.post(`/v1/mailboxes/${mailboxes.owner}/grants`, {
      grantee: { nationalId: revokee.nid },
      access: 'read',
    });
    const path = `/v1/mailboxes/${mailboxes.owner}/letters`;
    const onSecond = otherApi.as(revokee.token);
    expect((await revokee.client.get(path)).status).toBe(200);
    expect((await onSecond.get(path)).status).toBe(200);
    const revoked = await people.owner.client.request(
      'DELETE',
      `/v1/mailboxes/${mailboxes.owner}/grants/${made.body.id}`,
    );
    expect(revoked.status).toBe(200);
    expect((await onSecond.get(path)).status).toBe(404);
    expect((await revokee.client.get(path)).status).toBe(404);
    // Again: nothing changes; a grant of another mailbox is not there.
    const again = await people.owner.client.request(
      'DELETE',
      `/v1/mailboxes/${mailboxes.owner}/grants/${made.body.id}`,
    );
    expect(again.status).toBe(200);
    const elsewhere = await people.cliAdmin.client.request(
      'DELETE',
      `/v1/mailboxes/${mailboxes.org}/grants/${made.body.id}`,
    );
    expect(elsewhere.status).toBe(404);
    const { rows } = await db.query(
      `SELECT action FROM operator_audit_log WHERE subject = $1 AND action = 'grant.revoke'`,
      [mailboxes.owner],
    );
    expect(rows.length).toBeGreaterThanOrEqual(1);
  });
});

describe('traces', () => {
  it("writes a delegate's actions to the mailbox's access log with their name and role", async () => {
    const log = await people.owner.client.get('/v1/mailbox/access-log?limit=100');
    expect(log.status).toBe(200);
    const entries = log.body.items as { actor: Record<string, unknown>; action: string }[];
    const byWriter = entries.filter((e) => e.actor.name === 'Willy Skriver');
    expect(new Set(byWriter.map((e) => e.action))).toEqual(
      new Set([
        'mailbox.letter_opened',
        'mailbox.document_opened',
        'mailbox.letter_acknowledged',
        'mailbox.letter_marked_unread',
        'mailbox.letter_filed',
        'mailbox.letter_deleted',
        'mailbox.settings_changed',
        'mailbox.key_changed',
      ]),
    );
    expect(byWriter[0].actor).toEqual({
      kind: 'person',
      id: expect.stringMatching(/^[A-Za-z0-9_-]+$/),
      name: 'Willy Skriver',
      role: 'grantee',
    });
    // Nothing the owner did themselves, and never a national id.
    expect(entries.some((e) => e.actor.name === 'Olav Eier')).toBe(false);
    expect(JSON.stringify(entries)).not.toContain(people.writeDelegate.nid);
    const org = await people.cliAdmin.client.get(
      `/v1/mailboxes/${mailboxes.org}/access-log?limit=100`,
    );
    const roles = new Set(
      (org.body.items as { actor: { role: string } }[]).map((e) => e.actor.role),
    );
    expect(roles).toEqual(new Set(['administrator', 'employee']));
    expect(
      (org.body.items as { action: string }[]).some((e) => e.action === 'mailbox.access_granted'),
    ).toBe(true);
  });

  it('says in read and acknowledged receipts in which role the reader acted, by an HMAC', async () => {
    const receipts = async (letterId: string) =>
      (await api.as(agency.apiKey).get(`/v1/letters/${letterId}/receipts`)).body.items as {
        type: string;
        actorRole?: string;
        actorRef?: string;
        recipientRef: string;
      }[];
    const guardianRead = (await receipts(letters.minor.id)).find((r) => r.type === 'read')!;
    expect(guardianRead.actorRole).toBe('guardian');
    expect(guardianRead.actorRef).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(guardianRead.actorRef).not.toBe(guardianRead.recipientRef);
    expect(JSON.stringify(guardianRead)).not.toContain(people.guardian.nid);
    const ownerRead = (await receipts(letters.owner.id)).find((r) => r.type === 'read')!;
    expect(ownerRead.actorRole).toBe('owner');
    expect(ownerRead.actorRef).toBe(ownerRead.recipientRef);
    const acknowledged = (await receipts(letters.org.id)).find((r) => r.type === 'acknowledged')!;
    expect(['administrator', 'employee']).toContain(acknowledged.actorRole);
    const delivered = (await receipts(letters.owner.id)).find((r) => r.type === 'delivered')!;
    expect(delivered.actorRole).toBeUndefined();
  });

  it('records the display name a person logs in with, and no one else sees their number', async () => {
    const { rows } = await db.query<{ display_name: string }>(
      'SELECT display_name FROM mailboxes WHERE id = $1',
      [people.readDelegate.ownMailbox],
    );
    expect(rows[0].display_name).toBe('Rita Leser');
    expect(decodeJwt(people.readDelegate.token).name).toBe('Rita Leser');
  });
});

describe('the operator commands', () => {
  it('refuses a guardian for someone of age, and an estate without a future date', async () => {
    const adult = nid('1990-01-01');
    await expect(
      stack.cli(['guardian', 'add', '--guardian', people.guardian.nid, '--minor', adult]),
    ).rejects.toThrow(/guardian.not_a_minor: --minor is not a minor/);
    await expect(
      stack.cli([
        'estate',
        'grant',
        '--deceased',
        adult,
        '--executor',
        people.executor.nid,
        '--until',
        '2020-01-01',
      ]),
    ).rejects.toThrow(/estate.until_past/);
    await expect(
      stack.cli(['org', 'create', '--number', '910000009', '--name', 'Feil AS']),
    ).rejects.toThrow(/recipient.invalid_organisation_number/);
    const { rows } = await db.query(
      `SELECT action FROM operator_audit_log WHERE action IN ('grant.guardian', 'grant.executor', 'grant.administrator', 'organisation.registered')`,
    );
    expect(new Set(rows.map((r) => r.action))).toEqual(
      new Set([
        'grant.guardian',
        'grant.executor',
        'grant.administrator',
        'organisation.registered',
      ]),
    );
  });
});

describe('the demo', () => {
  it('gives every demo person of the development login a role with dev seed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'postkasse-seed-'));
    try {
      // Run where `npm start` would, in a directory of its own: it writes dir/.secrets.
      await stack.seedIn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const rolesOf = async (p: DemoPerson, adminOf?: string) =>
      (
        (await api.as(await fx.token(p.nationalId, p.name, adminOf)).get('/v1/me')).body
          .mailboxes as { name: string; role: string; access: string; confidential: boolean }[]
      )
        .slice(1)
        .map((m) => [m.name, m.role, m.access, m.confidential]);
    const P = DEMO_PEOPLE;
    expect(await rolesOf(P.delegate)).toEqual([['Kari Nordmann', 'grantee', 'read', false]]);
    expect(await rolesOf(P.guardian)).toEqual([['Emma Berg', 'guardian', 'read_write', true]]);
    expect(await rolesOf(P.executor)).toEqual([['Astrid Dahl', 'executor', 'read', true]]);
    expect(await rolesOf(P.administrator, DEMO_ORGANISATION.number)).toEqual([
      ['Acme AS (demo)', 'administrator', 'read_write', true],
    ]);
    expect(await rolesOf(P.confidentialEmployee)).toEqual([
      ['Acme AS (demo)', 'employee', 'read_write', true],
    ]);
    expect(await rolesOf(P.employee)).toEqual([['Acme AS (demo)', 'employee', 'read', false]]);
  });
});
