import { Readable } from 'node:stream';
import { extract } from 'tar-stream';
import {
  BlockStream,
  EXPORT_FORMAT,
  EXPORT_PATHS,
  EXPORT_VERSION,
  ExportArchiveWriter,
  ManifestBuilder,
  documentPath,
  exportReadme,
  letterPath,
  readArchive,
  receiptsPath,
  safeFilename,
  sha256Hex,
  accessLogPagePath,
  type ExportedLetter,
} from '../../src/export';
import { leafHash, MerkleTree } from '../../src/merkle';
import { signReceipt } from '../../src/receipt';
import { generateReceiptKey, type GeneratedSigningKey } from '../../src/signing-key';
import { sampleReceipt } from '../../src/testing/receipts';
import { signTreeHead } from '../../src/tree-head';
import { ExportArchiveVerifier, type ExportVerdict } from '../../src/verify';

const LETTER = '0190f1a2-7b3c-7d4e-8f90-123456789abc';
const E2E_LETTER = '0190f1a2-7b3c-7d4e-8f90-123456789abd';
const PLAINTEXT = Buffer.from('Vedtak om førerkort\n');
const CIPHERTEXT = Buffer.from('-----BEGIN PGP MESSAGE-----\nxyz\n-----END PGP MESSAGE-----\n');
const CREATED = new Date('2025-03-02T10:00:00.000Z');

let key: GeneratedSigningKey;
let stranger: GeneratedSigningKey;

beforeAll(async () => {
  [key, stranger] = await Promise.all([generateReceiptKey(), generateReceiptKey()]);
});

const letterJson = (id: string, endToEnd: boolean, path: string): ExportedLetter => ({
  id,
  sender: { id: 'agency', name: 'NAV' },
  title: 'Vedtak',
  senderReference: null,
  state: 'delivered',
  folder: 'inbox',
  deliveredAt: '2025-03-01T12:00:00.000Z',
  readAt: null,
  requiresAcknowledgement: false,
  acknowledgedAt: null,
  dueDate: null,
  endToEnd,
  documents: [
    {
      filename: 'vedtak.txt',
      mediaType: 'text/plain',
      content: endToEnd ? 'openpgp' : 'plaintext',
      path,
    },
  ],
});

type Edit = (files: { path: string; bytes: Buffer }[]) => void;

/** An archive as the API writes one: two letters (one end-to-end), receipts, an access log. */
async function archive(options: { signer?: GeneratedSigningKey } = {}): Promise<Buffer> {
  const doc = sampleReceipt().documents[0]!;
  const documents = [{ ...doc, plaintextSha256: sha256Hex(PLAINTEXT) }];
  const receipts = await Promise.all([
    signReceipt(
      sampleReceipt({
        letterId: LETTER,
        logIndex: 0,
        documents,
      }),
      key,
    ),
    signReceipt(
      sampleReceipt({
        letterId: E2E_LETTER,
        logIndex: 1,
        documents: [{ ciphertextSha256: sha256Hex(CIPHERTEXT) }],
      }),
      key,
    ),
    signReceipt(sampleReceipt({ letterId: LETTER, logIndex: 2, type: 'read', documents }), key),
  ]);
  // The head covers the first two entries: the read receipt is not in it yet.
  const tree = new MerkleTree(receipts.map((j) => leafHash(Buffer.from(j))));
  const head = {
    treeSize: 2,
    rootHash: tree.root(2).toString('base64url'),
    timestamp: '2025-03-02T09:59:00Z',
  };
  const headJws = await signTreeHead(head, options.signer ?? key);
  const proof = (i: number) => ({
    leafIndex: i,
    treeSize: 2,
    path: tree.inclusionProof(i, 2).map((p) => p.toString('base64url')),
  });

  const writer = new ExportArchiveWriter(CREATED);
  const chunks: Buffer[] = [];
  writer.stream.on('data', (c) => chunks.push(c as Buffer));
  const ended = new Promise<void>((r) => writer.stream.on('end', () => r()));
  await writer.file(EXPORT_PATHS.readme, exportReadme(CREATED));
  await writer.json(EXPORT_PATHS.treeHead, { ...head, jws: headJws });
  const docPath = documentPath(LETTER, 0, 'vedtak.txt', 'plaintext');
  await writer.json(letterPath(LETTER), letterJson(LETTER, false, docPath));
  await writer.json(receiptsPath(LETTER), {
    receipts: [
      { jws: receipts[0], inclusionProof: proof(0) },
      { jws: receipts[2], inclusionProof: null },
    ],
  });
  await writer.file(docPath, PLAINTEXT);
  const e2ePath = documentPath(E2E_LETTER, 0, 'vedtak.txt', 'openpgp');
  await writer.json(letterPath(E2E_LETTER), letterJson(E2E_LETTER, true, e2ePath));
  await writer.json(receiptsPath(E2E_LETTER), {
    receipts: [{ jws: receipts[1], inclusionProof: proof(1) }],
  });
  await writer.file(e2ePath, CIPHERTEXT);
  await writer.json(accessLogPagePath(0), {
    entries: [
      {
        id: 'a',
        at: '2025-03-01T13:00:00.000Z',
        actor: { kind: 'agency', id: 'x', name: 'Skatteetaten' },
        action: 'recipient.lookup',
        purpose: 'Skattemelding',
        letter: null,
      },
    ],
  });
  await writer.finish({ recipientRef: sampleReceipt().recipientRef, treeSize: 2 }, key);
  await ended;
  return Buffer.concat(chunks);
}

async function files(tar: Buffer): Promise<{ path: string; bytes: Buffer }[]> {
  const out = [];
  for await (const file of readArchive(Readable.from([tar]))) out.push(file);
  return out;
}

async function verify(list: { path: string; bytes: Buffer }[], jwks = [key.publicJwk]) {
  const verifier = new ExportArchiveVerifier(jwks);
  for (const file of list) await verifier.push(file.path, file.bytes);
  return verifier.finish();
}

async function verifyEdited(edit: Edit): Promise<ExportVerdict> {
  const list = await files(await archive());
  edit(list);
  return verify(list);
}

const find = (list: { path: string; bytes: Buffer }[], suffix: string) =>
  list.find((f) => f.path.endsWith(suffix))!;

describe('the mailbox export archive', () => {
  it('is a tar of plain files under one folder, the manifest and its signature last', async () => {
    const names: string[] = [];
    const reader = extract();
    reader.on('entry', (header, stream, next) => {
      names.push(`${header.type}:${header.name}:${header.mode?.toString(8)}`);
      stream.resume();
      stream.on('end', next);
    });
    const done = new Promise<void>((r) => reader.on('finish', () => r()));
    reader.end(await archive());
    await done;
    expect(names.every((n) => n.startsWith('file:postkasse-export/') && n.endsWith(':644'))).toBe(
      true,
    );
    expect(names.slice(-2).map((n) => n.split(':')[1])).toEqual([
      EXPORT_PATHS.manifest,
      EXPORT_PATHS.manifestJws,
    ]);
    expect(names[0]).toContain(EXPORT_PATHS.readme);
  });

  it('lists every other file in the manifest with its SHA-256 and size', async () => {
    const list = await files(await archive());
    const manifest = JSON.parse(find(list, 'manifest.json').bytes.toString());
    const others = list.filter((f) => !f.path.includes('/manifest.'));
    expect(manifest.files).toEqual(
      others.map((f) => ({ path: f.path, sha256: sha256Hex(f.bytes), size: f.bytes.length })),
    );
    expect(manifest).toMatchObject({ treeSize: 2, createdAt: CREATED.toISOString() });
  });

  it('verifies as written, counting what it checked', async () => {
    const verdict = await verify(await files(await archive()));
    expect(verdict).toEqual({
      ok: true,
      summary: expect.objectContaining({
        letters: 2,
        documents: 2,
        receipts: { proven: 2, notYetInLog: 1 },
        accessLogEntries: 1,
        treeSize: 2,
      }),
    });
  });

  it('names a document changed by one byte, even with the manifest changed to match', async () => {
    const verdict = await verifyEdited((list) => {
      const doc = find(list, '1-vedtak.txt');
      doc.bytes = Buffer.from(doc.bytes);
      doc.bytes[0] ^= 1;
    });
    expect(verdict).toEqual({
      ok: false,
      item: documentPath(LETTER, 0, 'vedtak.txt', 'plaintext'),
      reason: expect.stringContaining('plaintext SHA-256 its signed receipts state'),
    });
  });

  it('names an end-to-end document that is not the ciphertext its receipts state', async () => {
    const verdict = await verifyEdited((list) => {
      find(list, '1-vedtak.txt.pgp').bytes = Buffer.from('other ciphertext');
    });
    expect(verdict).toMatchObject({ ok: false, item: expect.stringMatching(/\.pgp$/) });
  });

  it('names a receipt whose signature was tampered with', async () => {
    const verdict = await verifyEdited((list) => {
      const file = find(list, `${E2E_LETTER}/receipts.json`);
      const value = JSON.parse(file.bytes.toString());
      const [h, p, s] = value.receipts[0].jws.split('.');
      value.receipts[0].jws = `${h}.${p}.${s.startsWith('A') ? 'B' : 'A'}${s.slice(1)}`;
      file.bytes = Buffer.from(JSON.stringify(value));
    });
    expect(verdict).toEqual({
      ok: false,
      item: `${receiptsPath(E2E_LETTER)} receipt 1`,
      reason: expect.stringContaining('does not verify'),
    });
  });

  it('names a receipt whose proof was dropped although the head covers it', async () => {
    const verdict = await verifyEdited((list) => {
      const file = find(list, `${LETTER}/receipts.json`);
      const value = JSON.parse(file.bytes.toString());
      value.receipts[0].inclusionProof = null;
      file.bytes = Buffer.from(JSON.stringify(value));
    });
    expect(verdict).toMatchObject({ ok: false, item: `${receiptsPath(LETTER)} receipt 1` });
  });

  it('names a changed metadata file by the manifest, before later bad items', async () => {
    const verdict = await verifyEdited((list) => {
      const file = find(list, `${LETTER}/letter.json`);
      file.bytes = Buffer.from(file.bytes.toString().replace('Vedtak', 'Vedtok'));
      find(list, '1-vedtak.txt.pgp').bytes = Buffer.from('later bad item');
    });
    expect(verdict).toEqual({
      ok: false,
      item: letterPath(LETTER),
      reason: 'does not match its SHA-256 in the manifest',
    });
  });

  it('names a manifest that is not the one signed', async () => {
    const verdict = await verifyEdited((list) => {
      const file = find(list, 'manifest.json');
      file.bytes = Buffer.concat([file.bytes, Buffer.from(' ')]);
    });
    expect(verdict).toMatchObject({ ok: false, item: EXPORT_PATHS.manifest });
  });

  it('names a file slipped in or dropped', async () => {
    const added = await verifyEdited((list) => {
      list.splice(3, 0, { path: accessLogPagePath(7), bytes: Buffer.from('{"entries":[]}') });
    });
    expect(added).toMatchObject({ ok: false, item: accessLogPagePath(7) });
    const dropped = await verifyEdited((list) => {
      list.splice(
        list.findIndex((f) => f.path === accessLogPagePath(0)),
        1,
      );
    });
    expect(dropped).toMatchObject({ ok: false, item: accessLogPagePath(0) });
  });

  it('refuses a tree head signed by a key it was not given', async () => {
    const verdict = await verify(await files(await archive({ signer: stranger })));
    expect(verdict).toMatchObject({ ok: false, item: EXPORT_PATHS.treeHead });
  });

  it('checks an access-log entry that carries a proof as it checks a receipt', async () => {
    const list = await files(await archive());
    const page = find(list, '00001.json');
    const value = JSON.parse(page.bytes.toString());
    const receipts = JSON.parse(find(list, `${LETTER}/receipts.json`).bytes.toString()).receipts;
    value.entries[0].proof = receipts[0];
    page.bytes = Buffer.from(JSON.stringify(value));
    const verifier = new ExportArchiveVerifier([key.publicJwk]);
    for (const file of list) await verifier.push(file.path, file.bytes);
    // The page no longer matches the manifest; the proof itself was checked and passed.
    expect(await verifier.finish()).toMatchObject({ ok: false, item: accessLogPagePath(0) });
    value.entries[0].proof.inclusionProof.leafIndex = 1;
    page.bytes = Buffer.from(JSON.stringify(value));
    expect(await verify(list)).toMatchObject({
      ok: false,
      item: `${accessLogPagePath(0)} entry 1`,
    });
  });

  it('makes filenames safe to unpack', () => {
    expect(safeFilename('../../etc/passwd')).toBe('__.._etc_passwd');
    expect(safeFilename('a\u0000b/c.pdf')).toBe('a_b_c.pdf');
    expect(safeFilename('')).toBe('document');
    expect(safeFilename('x'.repeat(300))).toHaveLength(120);
  });
});

describe('the manifest builder', () => {
  it('writes JSON with one line per file, for no files and for many', () => {
    const meta = { recipientRef: 'ref', createdAt: CREATED.toISOString(), treeSize: 3 };
    const expected = (files: unknown[]) => ({
      format: EXPORT_FORMAT,
      version: EXPORT_VERSION,
      ...meta,
      files,
    });
    expect(JSON.parse(new ManifestBuilder().toBytes(meta).toString())).toEqual(expected([]));
    const some = new ManifestBuilder();
    const files = ['a', 'b'.repeat(70_000), 'c'].map((name) =>
      some.add(`p/${name}`, Buffer.from(name)),
    );
    const text = some.toBytes(meta).toString();
    expect(JSON.parse(text)).toEqual(expected(files));
    expect(text.split('\n').filter((line) => line.includes('"sha256"'))).toHaveLength(3);
  });
});

describe('the block stream between the archive and the socket', () => {
  it('joins small chunks into blocks of the size asked, losing and reordering nothing', async () => {
    const blocks = new BlockStream(1_000);
    const out: Buffer[] = [];
    blocks.on('data', (c: Buffer) => out.push(c));
    const done = new Promise<void>((r) => blocks.on('end', () => r()));
    const input = Array.from({ length: 30 }, (_, i) => Buffer.alloc(100, i));
    for (const chunk of input) blocks.write(chunk);
    blocks.end();
    await done;
    expect(out.map((b) => b.length)).toEqual([1_000, 1_000, 1_000]);
    expect(Buffer.concat(out)).toEqual(Buffer.concat(input));
  });
});
