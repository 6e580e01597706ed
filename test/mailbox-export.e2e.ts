import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import * as openpgp from 'openpgp';
import { Client } from 'pg';
import { pack } from 'tar-stream';
import { readArchive, type ArchiveFile } from '#evidence';
import { makeSyntheticNorwegianId } from '#identity';
import { createAgency, platformPublicKey, sealFor, type TestAgency } from './support/agency';
import { endToEndDocument } from './support/fixtures';
import { ApiClient } from './support/http';
import { ROOT, Stack } from './support/stack';

jest.setTimeout(120_000);

const stack = new Stack();
const dir = mkdtempSync(join(tmpdir(), 'postkasse-export-'));
const citizenId = makeSyntheticNorwegianId(new Date('1968-11-30'), 417, 'tenor');
let api: ApiClient;
let agency: TestAgency;
let citizen: ApiClient;
let keyFile: string;
const sent: { id: string; texts: string[]; endToEnd: boolean; ciphertexts: Buffer[] }[] = [];

/** The CLI as a person runs it, exit status and all. */
function verifyExport(file: string) {
  return spawnSync(
    process.execPath,
    [join(ROOT, 'dist/apps/cli/src/main.js'), 'evidence', 'verify-export', file, '--key', keyFile],
    { encoding: 'utf8' },
  );
}

async function download(name: string): Promise<{ file: string; tar: Buffer; response: Response }> {
  const response = await fetch(`${stack.baseUrl}/v1/mailbox/export`, {
    headers: {
      authorization: `Bearer ${await stack.cli(['dev', 'token', '--citizen', citizenId])}`,
    },
  });
  const tar = Buffer.from(await response.arrayBuffer());
  const file = join(dir, name);
  writeFileSync(file, tar);
  return { file, tar, response };
}

async function filesOf(tar: Buffer): Promise<ArchiveFile[]> {
  const files = [];
  for await (const file of readArchive(Readable.from([tar]))) files.push(file);
  return files;
}

/** The archive with one file edited, packed again as a tar (the manifest left as it was). */
async function repacked(tar: Buffer, edit: (files: ArchiveFile[]) => void): Promise<Buffer> {
  const files = await filesOf(tar);
  edit(files);
  const out = pack();
  const chunks: Buffer[] = [];
  out.on('data', (c) => chunks.push(c as Buffer));
  const ended = new Promise<void>((r) => out.on('end', () => r()));
  for (const f of files) out.entry({ name: f.path, size: f.bytes.length }, f.bytes);
  out.finalize();
  await ended;
  return Buffer.concat(chunks);
}

async function send(documents: unknown[]): Promise<string> {
  const response = await api
    .as(agency.apiKey)
    .post(
      '/v1/letters',
      { recipient: { nationalId: citizenId }, title: 'Vedtak', documents },
      { 'idempotency-key': randomUUID() },
    );
  expect(response.status).toBe(202);
  return response.body.id as string;
}

beforeAll(async () => {
  await stack.start({ TREE_HEAD_INTERVAL_MS: '300' });
  api = new ApiClient(stack.baseUrl);
  agency = await createAgency(stack, 'Skatteetaten');
  const platformKey = await platformPublicKey(stack);
  citizen = api.as(await stack.cli(['dev', 'token', '--citizen', citizenId]));
  const citizenKeys = await openpgp.generateKey({
    type: 'ecc',
    curve: 'curve25519Legacy',
    userIDs: [{ name: 'Citizen' }],
    passphrase: 'a long enough passphrase',
    format: 'armored',
  });
  expect(
    (
      await citizen.request('PUT', '/v1/mailbox/key', {
        publicKey: citizenKeys.publicKey,
        encryptedPrivateKey: citizenKeys.privateKey,
      })
    ).status,
  ).toBe(200);

  for (const texts of [['Skattemelding 2025'], ['Vedtak side 1', 'Vedtak vedlegg']]) {
    const documents = await Promise.all(
      texts.map(async (text, i) => ({
        filename: `dokument-${i + 1}.txt`,
        mediaType: 'text/plain',
        content: await sealFor(agency, platformKey, text),
      })),
    );
    sent.push({ id: await send(documents), texts, endToEnd: false, ciphertexts: [] });
  }
  const e2e = await endToEndDocument('Bare for deg', citizenKeys.publicKey, agency.privateKey);
  sent.push({
    id: await send([e2e]),
    texts: [],
    endToEnd: true,
    ciphertexts: [Buffer.from(e2e.content, 'base64')],
  });
  for (const letter of sent) await api.as(agency.apiKey).waitForState(letter.id, 'delivered');

  // One letter read, so it has a read receipt; one lookup, so the access log has an entry.
  const first = (await citizen.get(`/v1/mailbox/letters/${sent[0]!.id}`)).body;
  await citizen.get(`/v1/mailbox/letters/${sent[0]!.id}/documents/${first.documents[0].id}`);
  await api.as(agency.apiKey).waitForState(sent[0]!.id, 'read');
  await api.as(agency.apiKey).post('/v1/recipients/lookup', {
    nationalIds: [citizenId],
    purpose: 'Skatteoppgjør',
  });
  // Every receipt signed into the log before the export, so every one has a proof.
  for (const letter of sent) {
    await api.waitFor(async () => {
      const r = await api.as(agency.apiKey).get(`/v1/letters/${letter.id}/receipts`);
      const items = r.body.items as { jws?: string }[];
      return items.length >= 2 && items.every((x) => x.jws);
    }, `receipts of ${letter.id} in the log`);
  }
  const keys = (await api.get('/v1/platform/keys')).body.receipts;
  keyFile = join(dir, 'keys.json');
  writeFileSync(keyFile, JSON.stringify(keys));
});

afterAll(() => stack.stop());

describe('the mailbox export', () => {
  let tar: Buffer;
  let file: string;

  it('streams a tar archive that the offline verifier accepts', async () => {
    const got = await download('export.tar');
    ({ tar, file } = got);
    expect(got.response.status).toBe(200);
    expect(got.response.headers.get('content-type')).toBe('application/x-tar');
    expect(got.response.headers.get('content-disposition')).toMatch(
      /^attachment; filename="postkasse-export-\d{4}-\d{2}-\d{2}\.tar"$/,
    );
    const result = verifyExport(file);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^OK: 3 letters, 4 documents, \d+ receipts proven/);
    expect(result.stdout).toContain(
      '1 access-log entries, 1 of them checked against the transparency log',
    );
    expect(result.stdout).not.toContain('not yet in the log');
  });

  it('holds the documents decrypted, the end-to-end one as sent, metadata and the access log', async () => {
    const files = await filesOf(tar);
    const byPath = new Map(files.map((f) => [f.path, f.bytes]));
    for (const letter of sent) {
      const meta = JSON.parse(
        byPath.get(`postkasse-export/letters/${letter.id}/letter.json`)!.toString(),
      );
      expect(meta).toMatchObject({ id: letter.id, title: 'Vedtak', endToEnd: letter.endToEnd });
      const contents = meta.documents.map((d: { path: string }) => byPath.get(d.path));
      if (letter.endToEnd) expect(contents).toEqual(letter.ciphertexts);
      else expect(contents.map((c: Buffer) => c.toString())).toEqual(letter.texts);
      const receipts = JSON.parse(
        byPath.get(`postkasse-export/letters/${letter.id}/receipts.json`)!.toString(),
      ).receipts;
      expect(receipts.length).toBeGreaterThanOrEqual(2);
    }
    const log = JSON.parse(byPath.get('postkasse-export/access-log/00001.json')!.toString());
    expect(log.entries).toEqual([
      expect.objectContaining({
        purpose: 'Skatteoppgjør',
        actor: expect.objectContaining({ name: 'Skatteetaten' }),
      }),
    ]);
    expect(byPath.get('postkasse-export/README.txt')!.toString()).toContain(
      'npm run cli -- evidence verify-export',
    );
  });

  it('names a document changed by one byte', async () => {
    const tampered = Buffer.from(tar);
    const at = tampered.indexOf('Vedtak vedlegg');
    expect(at).toBeGreaterThan(0);
    tampered[at] ^= 0x20;
    const path = join(dir, 'tampered-document.tar');
    writeFileSync(path, tampered);
    const result = verifyExport(path);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(
        `^FAILED at postkasse-export/letters/${sent[1]!.id}/documents/2-dokument-2\\.txt: `,
      ),
    );
  });

  it('names a receipt that was tampered with', async () => {
    const target = `postkasse-export/letters/${sent[2]!.id}/receipts.json`;
    const tampered = await repacked(tar, (files) => {
      const f = files.find((x) => x.path === target)!;
      const value = JSON.parse(f.bytes.toString());
      const [h, p, s] = value.receipts[0].jws.split('.');
      const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
      payload.at = '2020-01-01T00:00:00.000Z';
      const forged = Buffer.from(JSON.stringify(payload)).toString('base64url');
      value.receipts[0].jws = `${h}.${forged}.${s}`;
      f.bytes = Buffer.from(JSON.stringify(value));
    });
    const path = join(dir, 'tampered-receipt.tar');
    writeFileSync(path, tampered);
    const result = verifyExport(path);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^FAILED at ${target} receipt 1: does not verify`));
  });
});

describe('erasing a mailbox', () => {
  let output: string;

  beforeAll(async () => {
    output = await stack.cli([
      'mailbox',
      'erase',
      '--national-id',
      citizenId,
      '--reason',
      'Estate settled; the heirs asked for erasure',
      '--operator',
      'Kari Nordmann',
    ]);
  });

  it('records who erased it and why in the operator audit log', async () => {
    expect(output).toMatch(/^Erased mailbox [0-9a-f-]{36} at .*\(and 1 end-to-end documents\)/);
    const db = new Client({ connectionString: stack.env.DATABASE_URL });
    await db.connect();
    try {
      const { rows } = await db.query(
        `SELECT actor, details FROM operator_audit_log WHERE action = 'mailbox.erased'`,
      );
      expect(rows).toEqual([
        {
          actor: 'Kari Nordmann',
          details: expect.objectContaining({
            reason: 'Estate settled; the heirs asked for erasure',
          }),
        },
      ]);
      const keys = await db.query(
        'SELECT wrapped_data_key, public_key, encrypted_private_key, erased_at FROM mailboxes',
      );
      expect(keys.rows).toEqual([
        {
          wrapped_data_key: null,
          public_key: null,
          encrypted_private_key: null,
          erased_at: expect.any(Date),
        },
      ]);
    } finally {
      await db.end();
    }
    const again = await stack.cli([
      'mailbox',
      'erase',
      '--national-id',
      citizenId,
      '--reason',
      'x',
      '--operator',
      'y',
    ]);
    expect(again).toMatch(/was erased already/);
  });

  it('answers 410 for its documents, and the letters stay listed', async () => {
    const letter = (await citizen.get(`/v1/mailbox/letters/${sent[1]!.id}`)).body;
    for (const path of [
      `/v1/mailbox/letters/${sent[1]!.id}/documents/${letter.documents[0].id}`,
      `/v1/mailbox/letters/${sent[2]!.id}/documents/${(await citizen.get(`/v1/mailbox/letters/${sent[2]!.id}`)).body.documents[0].id}`,
    ]) {
      const response = await citizen.get(path);
      expect(response.status).toBe(410);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(response.body.code).toBe('mailbox.erased');
    }
  });

  it('refuses new letters with a problem that says why', async () => {
    const content = await sealFor(agency, await platformPublicKey(stack), 'Too late');
    const response = await api.as(agency.apiKey).post(
      '/v1/letters',
      {
        recipient: { nationalId: citizenId },
        title: 'Etter sletting',
        documents: [{ filename: 'a.txt', mediaType: 'text/plain', content }],
      },
      { 'idempotency-key': randomUUID() },
    );
    expect(response.status).toBe(409);
    expect(response.body.code).toBe('recipient.erased');
  });

  it('still exports, with every receipt verifying and no document left', async () => {
    const { file } = await download('erased.tar');
    const result = verifyExport(file);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^OK: 3 letters, 0 documents, \d+ receipts proven/);
    const files = await filesOf(readFileSync(file));
    expect(files.some((f) => f.path.includes('/documents/'))).toBe(false);
  });
});

describe('an access-log entry removed from the database afterwards', () => {
  it('is caught by the next export: its leaf in the transparency log has no entry', async () => {
    const db = new Client({ connectionString: stack.env.DATABASE_URL });
    await db.connect();
    try {
      expect(
        (await db.query(`DELETE FROM access_log WHERE purpose = 'Skatteoppgjør'`)).rowCount,
      ).toBe(1);
    } finally {
      await db.end();
    }
    const { file } = await download('entry-removed.tar');
    const result = verifyExport(file);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(
      /^FAILED at postkasse-export\/access-log\/evidence\.json: leaf \d+ .*has no entry/,
    );
  });
});
