import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { Client } from 'pg';
import { makeSyntheticNorwegianId } from '#identity';
import { createAgency, type TestAgency } from './support/agency';
import { ApiClient } from './support/http';
import { ROOT, Stack, freePort } from './support/stack';

jest.setTimeout(90_000);

const CLI = join(ROOT, 'dist/apps/cli/src/main.js');
const work = mkdtempSync(join(tmpdir(), 'postkasse-cli-'));
const letterFile = join(work, 'vedtak.txt');
writeFileSync(letterFile, 'Du har fått innvilget bostøtte.');

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The built CLI as a user runs it, in a directory of its own (no .env, no var/run/api.json
 * unless the test writes one) and with only the environment given here.
 */
function cli(args: string[], env: NodeJS.ProcessEnv = {}, cwd = work): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NODE_ENV: 'test',
        SECRETS_FILE: join(ROOT, '.secrets/test.json'),
        ...env,
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

/** One line of text on stderr, and no stack trace. */
function expectOneLine(run: Run): string {
  const lines = run.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(run.stderr).not.toMatch(/^\s+at /m);
  return lines[0];
}

describe('the command line without an API', () => {
  it.each([
    [['letter', 'send', '--help']],
    [['evidence', 'export', '-h']],
    [['dev', 'token', '--help']],
    [['agency', 'create', '--help']],
    [['citizen', 'reserve', '--help']],
    [['db', 'migrate', '--help']],
    [['help', 'letter']],
    [['--help']],
  ])('prints the usage for %j and exits 0', async (args) => {
    const run = await cli(args);
    expect(run).toMatchObject({ status: 0, stderr: '' });
    expect(run.stdout).toMatch(/usage|Postkasse command line/);
  });

  it('describes what a letter can carry and where the API is', async () => {
    const { stdout } = await cli(['letter', 'send', '--help']);
    for (const option of [
      '--requires-acknowledgement',
      '--publish-at',
      '--due-date',
      '--reminder-after-days',
      '--sender-reference',
      '--end-to-end',
      'POSTKASSE_API',
      'var/run/api.json',
    ])
      expect(stdout).toContain(option);
  });

  it('answers an unknown option with one line and exit 2', async () => {
    const run = await cli(['letter', 'send', '--bogus', letterFile]);
    expect(run.status).toBe(2);
    expect(expectOneLine(run)).toMatch(/Unknown option '--bogus'.*letter send --help/);
  });

  it('answers a missing subcommand and a missing option with one line and exit 2', async () => {
    for (const args of [['letter'], ['letter', 'send', '--to'], ['evidence', 'export']]) {
      const run = await cli(args);
      expect(run.status).toBe(2);
      expectOneLine(run);
    }
  });

  it('answers an unreachable API with one line naming it and where it came from, exit 1', async () => {
    const port = await freePort();
    const send = [
      'letter',
      'send',
      '--api-key',
      'pk_test',
      '--signing-key',
      letterFile,
      '--to',
      '14838512470',
      '--title',
      'Hei',
      letterFile,
    ];
    const fromEnv = await cli(send, { POSTKASSE_API: `http://127.0.0.1:${port}` });
    expect(fromEnv.status).toBe(1);
    expect(expectOneLine(fromEnv)).toMatch(
      new RegExp(
        `cannot reach the API at http://127.0.0.1:${port} \\(POSTKASSE_API\\): .*ECONNREFUSED`,
      ),
    );
    const fromPort = await cli(['dev', 'token', '--citizen', '14838512470'], {
      PORT: String(port),
    });
    expect(fromPort.status).toBe(1);
    expect(expectOneLine(fromPort)).toContain(
      `http://127.0.0.1:${port} (HOST and PORT from .env and the environment)`,
    );
  });
});

describe('the command line against a running API', () => {
  const stack = new Stack();
  let api: ApiClient;
  let agency: TestAgency;
  let signingKeyFile: string;
  let otherPort: string;

  beforeAll(async () => {
    await stack.start();
    api = new ApiClient(stack.baseUrl);
    agency = await createAgency(stack, 'Lånekassen');
    signingKeyFile = join(work, 'agency.asc');
    writeFileSync(signingKeyFile, agency.privateKey);
    otherPort = String(await freePort());
  });

  afterAll(() => stack.stop());

  /** A directory where `npm start` would have recorded the API, as a second terminal sees it. */
  function checkoutWithRunningApi(url: string, pid: number): string {
    const dir = mkdtempSync(join(tmpdir(), 'postkasse-checkout-'));
    mkdirSync(join(dir, 'var/run'), { recursive: true });
    writeFileSync(join(dir, 'var/run/api.json'), JSON.stringify({ url, pid }));
    return dir;
  }

  async function summaryStatus(token: string): Promise<number> {
    return (await api.as(token).get('/v1/mailbox/summary')).status;
  }

  describe('dev token, from a shell whose PORT is another', () => {
    const citizen = makeSyntheticNorwegianId(new Date('1988-04-01'), 246, 'tenor');

    it('finds the API npm start runs and mints a token it accepts', async () => {
      const dir = checkoutWithRunningApi(stack.baseUrl, process.pid);
      const run = await cli(['dev', 'token', '--citizen', citizen], { PORT: otherPort }, dir);
      expect(run).toMatchObject({ status: 0, stderr: '' });
      expect(await summaryStatus(run.stdout.trim())).toBe(200);
    });

    it('goes to POSTKASSE_API when it is set', async () => {
      const run = await cli(['dev', 'token', '--citizen', citizen], {
        PORT: otherPort,
        POSTKASSE_API: stack.baseUrl,
      });
      expect(run.status).toBe(0);
      expect(await summaryStatus(run.stdout.trim())).toBe(200);
    });

    it('ignores an address left behind by an npm start that is gone', async () => {
      const gone = spawnSync(process.execPath, ['-e', '']).pid!;
      const dir = checkoutWithRunningApi(`http://127.0.0.1:${otherPort}`, gone);
      const run = await cli(['dev', 'token', '--citizen', citizen], { PORT: stack.env.PORT }, dir);
      expect(run.status).toBe(0);
      expect(await summaryStatus(run.stdout.trim())).toBe(200);
    });
  });

  it('sends a letter with everything a letter can carry', async () => {
    const recipient = makeSyntheticNorwegianId(new Date('1975-11-11'), 135, 'tenor');
    const run = await cli(
      [
        'letter',
        'send',
        '--signing-key',
        signingKeyFile,
        '--to',
        recipient,
        '--title',
        'Vedtak om stipend',
        '--requires-acknowledgement',
        '--publish-at',
        '2030-01-31T09:00:00+01:00',
        '--due-date',
        '2030-02-28',
        '--reminder-after-days',
        '3',
        '--sender-reference',
        'SAK-2025-0042',
        letterFile,
      ],
      { POSTKASSE_API: stack.baseUrl, POSTKASSE_API_KEY: agency.apiKey },
    );
    expect(run).toMatchObject({ status: 0, stderr: '' });
    const { id } = JSON.parse(run.stdout) as { id: string };
    const db = new Client({ connectionString: stack.env.DATABASE_URL });
    await db.connect();
    try {
      const { rows } = await db.query(
        `SELECT requires_acknowledgement, publish_at, due_date::text AS due_date,
                reminder_after_days, sender_reference FROM letters WHERE id = $1`,
        [id],
      );
      expect(rows[0]).toEqual({
        requires_acknowledgement: true,
        publish_at: new Date('2030-01-31T08:00:00Z'),
        due_date: '2030-02-28',
        reminder_after_days: 3,
        sender_reference: 'SAK-2025-0042',
      });
    } finally {
      await db.end();
    }
  });

  it('sends a confidential letter to an organisation, and refuses two recipients with exit 2', async () => {
    const env = { POSTKASSE_API: stack.baseUrl, POSTKASSE_API_KEY: agency.apiKey };
    const base = ['letter', 'send', '--signing-key', signingKeyFile, '--title', 'Bokettersyn'];
    const run = await cli(
      [...base, '--organisation-number', '974760673', '--confidential', letterFile],
      env,
    );
    expect(run).toMatchObject({ status: 0, stderr: '' });
    const { id } = JSON.parse(run.stdout) as { id: string };
    const view = await new ApiClient(stack.baseUrl, agency.apiKey).get(`/v1/letters/${id}`);
    expect(view.body).toMatchObject({
      confidential: true,
      recipient: { kind: 'organisation', organisationNumber: '974760673' },
    });
    const both = await cli(
      [...base, '--organisation-number', '974760673', '--to', '14838512470', letterFile],
      env,
    );
    expect(both.status).toBe(2);
    expect(expectOneLine(both)).toContain('not both');
  });

  it('refuses a letter the API refuses with its reason on one line, exit 1', async () => {
    const run = await cli(
      [
        'letter',
        'send',
        '--signing-key',
        signingKeyFile,
        '--to',
        '12345678901',
        '--title',
        'Hei',
        '--publish-at',
        'tomorrow',
        letterFile,
      ],
      { POSTKASSE_API: stack.baseUrl, POSTKASSE_API_KEY: agency.apiKey },
    );
    expect(run.status).toBe(1);
    expect(expectOneLine(run)).toMatch(/^POST \/v1\/letters: 4\d\d /);
  });

  it("sends end to end: encrypted to the citizen's registered key, which alone opens it", async () => {
    const citizen = makeSyntheticNorwegianId(new Date('1990-02-02'), 468, 'tenor');
    const passphrase = 'a long enough passphrase';
    const keys = await openpgp.generateKey({
      type: 'ecc',
      curve: 'curve25519Legacy',
      userIDs: [{ name: 'Citizen' }],
      passphrase,
      format: 'armored',
    });
    const me = api.as(await stack.cli(['dev', 'token', '--citizen', citizen]));
    const put = await me.request('PUT', '/v1/mailbox/key', {
      publicKey: keys.publicKey,
      encryptedPrivateKey: keys.privateKey,
    });
    expect(put.status).toBe(200);

    const send = (to: string) =>
      cli(
        ['letter', 'send', '--end-to-end', '--signing-key', signingKeyFile, '--to', to].concat([
          '--title',
          'Kryptert vedtak',
          letterFile,
        ]),
        { POSTKASSE_API: stack.baseUrl, POSTKASSE_API_KEY: agency.apiKey },
      );
    const withoutKey = makeSyntheticNorwegianId(new Date('1991-03-03'), 579, 'tenor');
    const refused = await send(withoutKey);
    expect(refused.status).toBe(1);
    expect(expectOneLine(refused)).toBe(
      `${withoutKey} has registered no key for end-to-end letters`,
    );

    const run = await send(citizen);
    expect(run).toMatchObject({ status: 0, stderr: '' });
    const { id } = JSON.parse(run.stdout) as { id: string };
    await api.as(agency.apiKey).waitForState(id, 'delivered');
    const letter = await me.get(`/v1/mailbox/letters/${id}`);
    expect(letter.body.endToEnd).toBe(true);
    const response = await fetch(
      `${stack.baseUrl}/v1/mailbox/letters/${id}/documents/${letter.body.documents[0].id}`,
      {
        headers: {
          authorization: `Bearer ${await stack.cli(['dev', 'token', '--citizen', citizen])}`,
        },
      },
    );
    const opened = await openpgp.decrypt({
      message: await openpgp.readMessage({
        binaryMessage: new Uint8Array(await response.arrayBuffer()),
      }),
      decryptionKeys: await openpgp.decryptKey({
        privateKey: await openpgp.readPrivateKey({ armoredKey: keys.privateKey }),
        passphrase,
      }),
      verificationKeys: await openpgp.readKey({ armoredKey: agency.publicKey }),
      expectSigned: true,
    });
    expect(opened.data).toBe('Du har fått innvilget bostøtte.');
  });
});
