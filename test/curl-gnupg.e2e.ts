import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiClient } from './support/http';
import { ROOT, Stack } from './support/stack';

/**
 * The README's "Send a letter with curl and GnuPG", run as it stands: bash, GnuPG, curl and jq
 * against a real API, from a directory holding what `npm start` leaves in `.secrets/` (made by
 * the same `dev seed`). Then the receipt's hashes are checked with the commands the README
 * and docs/evidence.md give for them.
 */
jest.setTimeout(120_000);

const SECTION = '## Send a letter with curl and GnuPG';

function readmeBlocks(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf(SECTION);
  const end = readme.indexOf('\n## ', start + SECTION.length);
  const section = readme.slice(start, end);
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
}

const stack = new Stack();
let dir: string;
let env: NodeJS.ProcessEnv;

/** Runs a script with bash in `dir`, as a shell there would; its standard output. */
function bash(script: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-e', '-o', 'pipefail', '-c', script], {
      cwd: dir,
      env: { ...env, ...extraEnv },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`bash exited ${code}:\n${out}\n${err}`)),
    );
  });
}

beforeAll(async () => {
  await stack.start();
  dir = mkdtempSync(join(tmpdir(), 'postkasse-curl-'));
  mkdirSync(join(dir, 'tmp'));
  // What a shell in the checkout has: tools on PATH, the API `npm start` runs; mktemp -d (the
  // recipe's keyring) lands in dir/tmp, so it is removed with it.
  env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TMPDIR: join(dir, 'tmp'),
    POSTKASSE_API: stack.baseUrl,
  };
  // `npm start` seeds the demo through the CLI; run in `dir`, it writes dir/.secrets.
  await stack.seedIn(dir);
});

afterAll(async () => {
  if (dir) {
    for (const home of readdirSync(join(dir, 'tmp'))) {
      try {
        execFileSync('gpgconf', ['--homedir', join(dir, 'tmp', home), '--kill', 'gpg-agent'], {
          stdio: 'ignore',
        });
      } catch {
        // not a keyring, or no agent was started
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }
  await stack.stop();
});

it("sends a letter with the README's curl and GnuPG commands, and its receipt hashes what the docs say", async () => {
  const [recipe, hereDoc] = readmeBlocks();
  expect(recipe).toContain('gpg --batch --yes --trust-model always --armor --sign --encrypt');

  const out = (await bash(recipe)).trim().split('\n');

  expect(out.at(-1)).toBe('HTTP 202');
  const answer = JSON.parse(out.at(-2)!) as {
    id: string;
    state: string;
    receipt: { documents: { ciphertextSha256: string }[] };
  };
  expect(answer.state).toBe('accepted');

  // docs/evidence.md: the hash of the de-armored message, not of the armored text.
  const gnupg = join(dir, 'tmp', 'dearmor');
  mkdirSync(gnupg, { mode: 0o700 });
  const dearmored = (
    await bash('gpg --dearmor < letter.asc | sha256sum', { GNUPGHOME: gnupg })
  ).split(' ')[0];
  const armoredText = (await bash('sha256sum < letter.asc')).split(' ')[0];
  expect(answer.receipt.documents[0].ciphertextSha256).toBe(dearmored);
  expect(dearmored).not.toBe(armoredText);

  const demo = JSON.parse(readFileSync(join(dir, '.secrets/demo.json'), 'utf8')) as {
    apiKey: string;
  };
  const sender = new ApiClient(stack.baseUrl, demo.apiKey);
  await sender.waitForState(answer.id, 'delivered');
  const receipts = await sender.get<{ items: { type: string; documents: object[] }[] }>(
    `/v1/letters/${answer.id}/receipts`,
  );
  const delivered = receipts.body.items.find((r) => r.type === 'delivered');
  expect(delivered?.documents[0]).toEqual({
    ciphertextSha256: dearmored,
    plaintextSha256: (await bash('sha256sum letter.txt')).split(' ')[0],
  });

  // The here-doc builds the same JSON as jq did.
  const byJq = readFileSync(join(dir, 'letter.json'), 'utf8');
  await bash(hereDoc, { TO: JSON.parse(byJq).recipient.nationalId as string });
  expect(JSON.parse(readFileSync(join(dir, 'letter.json'), 'utf8'))).toEqual(JSON.parse(byJq));
});
