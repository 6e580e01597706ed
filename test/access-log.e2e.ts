import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { accessEntryHash } from '#evidence';
import { makeSyntheticNorwegianId } from '#identity';
import { createAgency, type TestAgency } from './support/agency';
import { ApiClient } from './support/http';
import { SmtpSink } from './support/smtp-sink';
import { ROOT, Stack, freePort } from './support/stack';

jest.setTimeout(180_000);

const DAY = 86_400_000;
const WEB_URL = 'https://post.example.test/';
const stack = new Stack();
const dir = mkdtempSync(join(tmpdir(), 'postkasse-access-'));
/** The time the API and worker take as "now" (TEST_CLOCK_FILE); empty: real time. */
const clockFile = join(dir, 'now');
const started = Date.now();
let sink: SmtpSink;
let api: ApiClient;
let auditor: ApiClient;
let notifier: TestAgency;
let withholder: TestAgency;
let notifierApi: ApiClient;
let withholderApi: ApiClient;
let db: Client;
let keyFile: string;

function setClock(daysAfterStart: number): Date {
  const now = new Date(started + daysAfterStart * DAY);
  writeFileSync(clockFile, now.toISOString());
  return now;
}

let serial = 0;
function newPerson(): string {
  serial += 1;
  return makeSyntheticNorwegianId(
    new Date(1950 + serial, serial % 12, 2 + serial),
    300 + serial,
    'tenor',
  );
}

async function citizen(nationalId: string): Promise<ApiClient> {
  return api.as(await stack.cli(['dev', 'token', '--citizen', nationalId]));
}

const ACTIONS = ['stored', 'looked_up', 'shared', 'corrected', 'deleted'] as const;

function notice(nationalId: string, overrides: Record<string, unknown> = {}) {
  return {
    nationalId,
    action: 'stored',
    dataCategory: 'income',
    purpose: 'Tax assessment 2025',
    legalBasis: 'Tax Administration Act § 5-1',
    at: new Date(started - 3_600_000).toISOString(),
    ...overrides,
  };
}

function sendNotices(client: ApiClient, notices: unknown[], key: string = randomUUID()) {
  return client.post('/v1/access-notices', { notices }, { 'idempotency-key': key });
}

async function count(sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await db.query<{ n: string }>(sql, params);
  return Number(rows[0]!.n);
}

interface Entry {
  id: string;
  at: string;
  action: string;
  actor: { kind: string; name: string };
  purpose: string;
  notice: { dataCategory: string; legalBasis: string; occurredAt: string; system: string | null };
  released: boolean;
  withheld: { until: string; reason: string } | null;
}

async function accessLog(me: ApiClient): Promise<Entry[]> {
  const r = await me.get('/v1/mailbox/access-log?limit=100');
  expect(r.status).toBe(200);
  return r.body.items as Entry[];
}

/** `evidence verify-access-log` on what the API served, as a citizen would run it. */
function verifyOffline(served: unknown): { status: number | null; stdout: string; stderr: string } {
  const file = join(dir, `${randomUUID()}.json`);
  writeFileSync(file, JSON.stringify(served));
  return spawnSync(
    process.execPath,
    [
      join(ROOT, 'dist/apps/cli/src/main.js'),
      'evidence',
      'verify-access-log',
      file,
      '--key',
      keyFile,
    ],
    { encoding: 'utf8' },
  );
}

/** The evidence once every entry's leaf is in the log. */
async function evidenceOf(me: ApiClient, leaves: number) {
  return api.waitFor(async () => {
    const r = await me.get('/v1/mailbox/access-log/evidence');
    expect(r.status).toBe(200);
    return r.body.leaves.length >= leaves ? r.body : undefined;
  }, `${leaves} leaves in the log`);
}

beforeAll(async () => {
  writeFileSync(clockFile, '');
  sink = new SmtpSink(await freePort());
  await sink.start();
  await stack.start({
    TEST_CLOCK_FILE: clockFile,
    ACCESS_WITHHOLD_MAX_DAYS: '30',
    ACCESS_NOTIFY_INTERVAL_MS: '200',
    TREE_HEAD_INTERVAL_MS: '500',
    SMTP_URL: `smtp://127.0.0.1:${sink.port}/?tls.rejectUnauthorized=false`,
    MAIL_FROM: 'Postkasse <varsel@post.example.test>',
    PUBLIC_WEB_URL: WEB_URL,
  });
  api = new ApiClient(stack.baseUrl);
  auditor = api.as(await stack.cli(['dev', 'token', '--auditor', 'Riksrevisjonen']));
  [notifier, withholder] = await Promise.all([
    createAgency(stack, 'Skatteetaten'),
    createAgency(stack, 'Politiet'),
  ]);
  notifierApi = api.as(notifier.apiKey);
  withholderApi = api.as(withholder.apiKey);
  db = new Client({ connectionString: stack.env.DATABASE_URL });
  await db.connect();
  keyFile = join(dir, 'keys.json');
  writeFileSync(keyFile, JSON.stringify((await api.get('/v1/platform/keys')).body));
});

afterAll(async () => {
  await db?.end();
  await stack.stop();
  await sink?.stop();
});

describe('agencies tell citizens what they did with their data', () => {
  it('records a notice of every action, for someone without a mailbox too', async () => {
    const person = newPerson();
    const notices = ACTIONS.map((action, i) =>
      notice(person, { action, system: i === 0 ? 'Skattekort' : undefined }),
    );
    const key = randomUUID();
    const sent = await sendNotices(notifierApi, notices, key);
    expect(sent.status).toBe(202);
    expect(sent.body).toEqual({ accepted: 5 });

    const entries = await accessLog(await citizen(person));
    expect(entries.map((e) => e.action).sort()).toEqual(ACTIONS.map((a) => `notice.${a}`).sort());
    const stored = entries.find((e) => e.action === 'notice.stored')!;
    expect(stored).toMatchObject({
      actor: { kind: 'agency', name: 'Skatteetaten' },
      purpose: 'Tax assessment 2025',
      notice: {
        dataCategory: 'income',
        legalBasis: 'Tax Administration Act § 5-1',
        occurredAt: notices[0]!.at,
        system: 'Skattekort',
      },
      released: false,
      withheld: null,
    });

    // The same key and body is answered again and stores nothing; another body is refused.
    const again = await sendNotices(notifierApi, notices, key);
    expect(again.status).toBe(202);
    expect(again.headers.get('idempotency-replayed')).toBe('true');
    expect(again.body).toEqual({ accepted: 5 });
    expect(await accessLog(await citizen(person))).toHaveLength(5);
    const other = await sendNotices(notifierApi, notices.slice(1), key);
    expect(other.status).toBe(422);
    expect(other.body.code).toBe('idempotency.key_reused');
  });

  it('refuses a bad notice with a 400 naming it, and stores nothing of the request', async () => {
    const fresh = [newPerson(), newPerson(), newPerson()];
    const before = await count(
      `SELECT (SELECT count(*) FROM access_log) + (SELECT count(*) FROM mailboxes)
            + (SELECT count(*) FROM access_notice_requests) AS n`,
    );
    const badAction = await sendNotices(notifierApi, [
      ...fresh.map((p) => notice(p)),
      notice(newPerson(), { action: 'sold' }),
    ]);
    expect(badAction.status).toBe(400);
    expect(badAction.headers.get('content-type')).toContain('application/problem+json');
    expect(badAction.body.detail).toMatch(/^notices\[3\]\.action: /);

    const badNumber = await sendNotices(notifierApi, [notice(fresh[0]!), notice('12345678901')]);
    expect(badNumber.status).toBe(400);
    expect(badNumber.body.detail).toMatch(/^notices\[1\]\.nationalId is not a valid/);

    const future = await sendNotices(notifierApi, [
      notice(fresh[0]!, { at: new Date(Date.now() + DAY).toISOString() }),
    ]);
    expect(future.status).toBe(400);
    expect(future.body.detail).toBe('notices[0].at is in the future');

    const tooMany = await sendNotices(
      notifierApi,
      Array.from({ length: 1001 }, () => notice(fresh[0]!)),
    );
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.detail).toMatch(/^notices: /);

    const noKey = await notifierApi.post('/v1/access-notices', { notices: [notice(fresh[0]!)] });
    expect(noKey.status).toBe(400);
    expect(noKey.body.code).toBe('idempotency.key_missing');

    const lettersOnly = await createAgency(stack, 'Lånekassen', 'curve25519', 'letters:send');
    const unscoped = await sendNotices(api.as(lettersOnly.apiKey), [notice(fresh[0]!)]);
    expect(unscoped.status).toBe(403);

    expect(
      await count(
        `SELECT (SELECT count(*) FROM access_log) + (SELECT count(*) FROM mailboxes)
              + (SELECT count(*) FROM access_notice_requests) AS n`,
      ),
    ).toBe(before);
  });

  it('takes a thousand notices in one request', async () => {
    const person = newPerson();
    const sent = await sendNotices(
      notifierApi,
      Array.from({ length: 1000 }, (_, i) => notice(person, { purpose: `Batch run ${i}` })),
    );
    expect(sent.status).toBe(202);
    expect(sent.body).toEqual({ accepted: 1000 });
    const r = await (await citizen(person)).get('/v1/mailbox/access-log?limit=100');
    expect(r.body.items).toHaveLength(100);
    expect(r.body.nextCursor).toEqual(expect.any(String));
  });

  it('logs a lookup of someone who has no mailbox yet', async () => {
    const person = newPerson();
    const lookup = await notifierApi.post('/v1/recipients/lookup', {
      nationalIds: [person],
      purpose: 'Sending a decision',
    });
    expect(lookup.status).toBe(200);
    expect(lookup.body.items).toEqual([
      { nationalId: person, status: 'active', publicKey: null, endToEnd: false },
    ]);
    const entries = await accessLog(await citizen(person));
    expect(entries).toEqual([
      expect.objectContaining({
        action: 'recipient.lookup',
        actor: expect.objectContaining({ kind: 'agency', name: 'Skatteetaten' }),
        purpose: 'Sending a decision',
        notice: null,
      }),
    ]);
  });
});

describe('withheld entries', () => {
  const person = newPerson();
  let me: ApiClient;
  const until = new Date(started + 10 * DAY).toISOString();

  beforeAll(async () => {
    me = await citizen(person);
  });

  it('are refused with 403 from an agency no operator allowed to withhold', async () => {
    const before = await count('SELECT count(*) AS n FROM access_log');
    const withheld = notice(person, { withheldUntil: until, withholdReason: 'Investigation' });
    const refused = await sendNotices(withholderApi, [notice(person), withheld]);
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('access.withholding_not_allowed');
    const lookup = await withholderApi.post('/v1/recipients/lookup', {
      nationalIds: [person],
      purpose: 'Investigation',
      withheldUntil: until,
      withholdReason: 'Investigation',
    });
    expect(lookup.status).toBe(403);
    expect(await count('SELECT count(*) AS n FROM access_log')).toBe(before);
  });

  it('are hidden until their date, then shown as released with the reason', async () => {
    await stack.cli([
      'agency',
      'allow-withholding',
      '--agency',
      withholder.id,
      '--legal-basis',
      'Police Act § 24',
    ]);
    const { rows } = await db.query(
      "SELECT actor, details FROM operator_audit_log WHERE subject = $1 AND action = 'agency.withholding_allowed'",
      [withholder.id],
    );
    expect(rows).toEqual([
      { actor: expect.any(String), details: { legalBasis: 'Police Act § 24' } },
    ]);

    const tooLong = await sendNotices(withholderApi, [
      notice(person, {
        withheldUntil: new Date(Date.now() + 31 * DAY).toISOString(),
        withholdReason: 'Investigation',
      }),
    ]);
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.detail).toMatch(/^notices\[0\]\.withheldUntil is more than 30 days ahead/);

    const sent = await sendNotices(withholderApi, [
      notice(person, { action: 'looked_up', dataCategory: 'criminal records', purpose: 'Case 17' }),
      notice(person, {
        action: 'shared',
        dataCategory: 'address',
        purpose: 'Case 17',
        withheldUntil: until,
        withholdReason: 'An ongoing investigation',
      }),
    ]);
    expect(sent.status).toBe(202);
    const lookup = await withholderApi.post('/v1/recipients/lookup', {
      nationalIds: [person],
      purpose: 'Case 17',
      withheldUntil: until,
      withholdReason: 'An ongoing investigation',
    });
    expect(lookup.status).toBe(200);

    const visible = await accessLog(me);
    expect(visible.map((e) => e.action)).toEqual(['notice.looked_up']);

    // Auditors see what the citizen does not, with the basis.
    const audit = await auditor.get('/v1/audit/withheld-access');
    expect(audit.status).toBe(200);
    const mine = (audit.body.items as { entry: { action: string }; released: boolean }[]).filter(
      (i) => i.entry.action === 'notice.shared' || i.entry.action === 'recipient.lookup',
    );
    expect(mine).toHaveLength(2);
    expect(mine[0]).toMatchObject({
      released: false,
      agencyWithholdingBasis: 'Police Act § 24',
      entry: { withheld: { until, reason: 'An ongoing investigation' } },
    });
    expect((await me.get('/v1/audit/withheld-access')).status).toBe(403);

    // Time moves on only once the leaves are in the log, as it would (it does not jump days).
    await api.waitFor(async () => {
      const r = await auditor.get('/v1/audit/withheld-access');
      return (r.body.items as { logIndex: number | null }[]).every((i) => i.logIndex !== null);
    }, 'the withheld entries to be in the log');
    // An auditor proves a withheld entry was committed when it was written, before its release.
    const withheldItem = (
      (await auditor.get('/v1/audit/withheld-access')).body.items as { entry: { id: string } }[]
    )[0]!;
    const auditorProof = await auditor.get(`/v1/audit/access-log/${withheldItem.entry.id}/proof`);
    expect(auditorProof.status).toBe(200);
    expect(auditorProof.body.entry.withheld).toEqual({ until, reason: 'An ongoing investigation' });
    expect(verifyOffline(auditorProof.body)).toMatchObject({ status: 0, stderr: '' });
    expect((await me.get(`/v1/mailbox/access-log/${withheldItem.entry.id}/proof`)).status).toBe(
      404,
    );

    const later = setClock(11);
    const released = await accessLog(me);
    expect(released.map((e) => e.action).sort()).toEqual(
      ['notice.looked_up', 'notice.shared', 'recipient.lookup'].sort(),
    );
    for (const e of released.filter((x) => x.action !== 'notice.looked_up')) {
      expect(e).toMatchObject({
        released: true,
        withheld: { until, reason: 'An ongoing investigation' },
      });
      // Shown at the time it was recorded, not at its release.
      expect(Date.parse(e.at)).toBeLessThan(Date.parse(until));
      expect(Date.parse(e.at)).toBeLessThan(later.getTime());
    }
    const releasedForAuditor = await auditor.get('/v1/audit/withheld-access');
    expect(
      (releasedForAuditor.body.items as { released: boolean }[]).every((i) => i.released),
    ).toBe(true);
  });

  it('have inclusion proofs that verify offline, and a removed entry is caught', async () => {
    const entries = await accessLog(me);
    const shared = entries.find((e) => e.action === 'notice.shared')!;
    const proof = await api.waitFor(async () => {
      const r = await me.get(`/v1/mailbox/access-log/${shared.id}/proof`);
      return r.status === 200 ? r.body : undefined;
    }, 'the leaf of the released entry');
    expect(proof.entry).toMatchObject({ id: shared.id, withheld: { until } });
    const one = verifyOffline(proof);
    expect(one.stderr).toBe('');
    expect(one.status).toBe(0);
    expect(one.stdout).toMatch(/^OK: 1 entries, 1 leaves/);

    const evidence = await evidenceOf(me, 3);
    expect(evidence.entries).toHaveLength(3);
    const all = verifyOffline(evidence);
    expect(all.stderr).toBe('');
    expect(all.stdout).toMatch(/^OK: 3 entries, 3 leaves/);

    // The access log is an ordinary table; its leaves are in the append-only log.
    await db.query('DELETE FROM access_log WHERE id = $1', [shared.id]);
    const after = await evidenceOf(me, 3);
    expect(after.entries).toHaveLength(2);
    const caught = verifyOffline(after);
    expect(caught.status).toBe(1);
    expect(caught.stderr).toMatch(/^FAILED: leaf \d+ \(.+\) has no entry: an entry was removed/);
    expect((await me.get(`/v1/mailbox/access-log/${shared.id}/proof`)).status).toBe(404);
  });

  it('catches an entry slipped in later: backdated, or without a leaf', async () => {
    const someone = newPerson();
    await notifierApi.post('/v1/recipients/lookup', { nationalIds: [someone], purpose: 'Check' });
    const me2 = await citizen(someone);
    const [lookup] = await accessLog(me2);
    const { rows } = await db.query<{ mailbox_id: string }>(
      'SELECT mailbox_id FROM access_log WHERE id = $1',
      [lookup!.id],
    );
    const mailboxId = rows[0]!.mailbox_id;
    // A row written straight into the table, dated a month back, with a proper hash: the
    // sequencer commits a leaf for it, at the time it does so.
    const id = uuidv7();
    const at = new Date(Date.now() - 30 * DAY);
    const record = {
      id,
      at: at.toISOString(),
      actor: { kind: 'agency', id: notifier.id, name: 'Skatteetaten' },
      action: 'recipient.lookup',
      purpose: 'Backdated',
    };
    await db.query(
      `INSERT INTO access_log (id, mailbox_id, at, actor_kind, actor_id, actor_name, action, purpose, entry_sha256)
       VALUES ($1, $2, $3, 'agency', $4, 'Skatteetaten', 'recipient.lookup', 'Backdated', $5)`,
      [id, mailboxId, at, notifier.id, Buffer.from(accessEntryHash(record), 'base64url')],
    );
    const unhashed = uuidv7();
    await db.query(
      `INSERT INTO access_log (id, mailbox_id, at, actor_kind, actor_id, actor_name, action, purpose)
       VALUES ($1, $2, now(), 'agency', $3, 'Skatteetaten', 'recipient.lookup', 'No leaf')`,
      [unhashed, mailboxId, notifier.id],
    );
    const evidence = await evidenceOf(me2, 2);
    const result = verifyOffline(evidence);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`entry ${id} claims ${at.toISOString()}, but its leaf`);
    expect(result.stderr).toContain(`entry ${unhashed} (`);
    expect(result.stderr).toContain('has no leaf in the log');
    const noProof = await me2.get(`/v1/mailbox/access-log/${unhashed}/proof`);
    expect(noProof.status).toBe(409);
    expect(noProof.body.code).toBe('access_log.not_committed');
  });
});

describe('citizens are told when something is recorded', () => {
  /** A citizen with a confirmed address and the given choice. */
  async function confirmed(choice: 'immediate' | 'weekly') {
    const nationalId = newPerson();
    const email = `${choice}-${nationalId}@example.test`;
    const me = await citizen(nationalId);
    expect(
      (await me.request('PUT', '/v1/mailbox/settings', { notificationEmail: email })).status,
    ).toBe(200);
    const [confirmation] = await api.waitFor(
      async () => (sink.to(email).length > 0 ? sink.to(email) : undefined),
      'the confirmation email',
    );
    const token = /token=([A-Za-z0-9_-]+)/.exec(confirmation!.mail.text ?? '')![1];
    expect((await api.post('/v1/email-confirmation', { token })).status).toBe(200);
    const put = await me.request('PUT', '/v1/mailbox/settings', { accessNotifications: choice });
    expect(put.status).toBe(200);
    expect(put.body.accessNotifications).toBe(choice);
    return { nationalId, email, me };
  }

  const told = (email: string) =>
    sink.to(email).filter((m) => /innsynsloggen/.test(m.mail.subject ?? ''));

  async function settle(ms = 1_500) {
    await new Promise((r) => setTimeout(r, ms));
  }

  it('defaults to telling nobody', async () => {
    const me = await citizen(newPerson());
    expect((await me.get('/v1/mailbox/settings')).body.accessNotifications).toBe('none');
  });

  it('sends one email per entry, and a withheld one only once released', async () => {
    const now = setClock(12);
    const { nationalId, email } = await confirmed('immediate');
    const sent = await sendNotices(withholderApi, [
      notice(nationalId),
      notice(nationalId, { action: 'corrected' }),
      notice(nationalId, {
        action: 'deleted',
        withheldUntil: new Date(now.getTime() + 5 * DAY).toISOString(),
        withholdReason: 'Investigation',
      }),
    ]);
    expect(sent.status).toBe(202);
    const mails = await api.waitFor(
      async () => (told(email).length >= 2 ? told(email) : undefined),
      'two access emails',
    );
    await settle();
    expect(told(email)).toHaveLength(2);
    const text = mails[0]!.mail.text ?? '';
    expect(text).toContain('Noe er registrert i innsynsloggen din');
    expect(text).toContain(`${WEB_URL}access-log`);
    // Only that something was recorded: not who, what or why.
    expect(text).not.toMatch(/Politiet|income|Tax|Investigation/);

    setClock(18);
    await api.waitFor(
      async () => (told(email).length >= 3 ? true : undefined),
      'the email for the released entry',
    );
    await settle();
    expect(told(email)).toHaveLength(3);
  });

  it('sends one digest a week', async () => {
    setClock(20);
    const { nationalId, email } = await confirmed('weekly');
    await sendNotices(notifierApi, [
      notice(nationalId),
      notice(nationalId, { action: 'shared' }),
      notice(nationalId, { action: 'looked_up' }),
    ]);
    await settle();
    expect(told(email)).toHaveLength(0);

    setClock(27.5);
    const [digest] = await api.waitFor(
      async () => (told(email).length >= 1 ? told(email) : undefined),
      'the weekly digest',
    );
    expect(digest!.mail.text).toContain('Denne uken er 3 nye oppføringer registrert');
    await sendNotices(notifierApi, [notice(nationalId, { action: 'deleted' })]);
    await settle();
    expect(told(email)).toHaveLength(1);

    setClock(35);
    await api.waitFor(
      async () => (told(email).length >= 2 ? true : undefined),
      'the next weekly digest',
    );
    expect(told(email)[1]!.mail.text).toContain('Denne uken er én ny oppføring registrert');
  });
});
