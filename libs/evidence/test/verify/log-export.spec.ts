import { leafHash, MerkleTree } from '../../src/merkle';
import { signReceipt } from '../../src/receipt';
import { generateReceiptKey, type GeneratedSigningKey } from '../../src/signing-key';
import { sampleReceipt } from '../../src/testing/receipts';
import { signTreeHead, type SignedTreeHead } from '../../src/tree-head';
import { LogExportVerifier, verifyLogExport } from '../../src/verify/log-export';

let key: GeneratedSigningKey;
let stranger: GeneratedSigningKey;
let jwses: string[];

const SIZE = 12;
const TIMESTAMP = '2025-03-01T12:00:00Z';

async function receiptJws(logIndex: number, signer = key): Promise<string> {
  return signReceipt(sampleReceipt({ logIndex, letterId: `letter-${logIndex}` }), signer);
}

/** A head line signed over the given entries, as the API would export it. */
async function headOver(entries: string[], signer = key): Promise<SignedTreeHead> {
  const tree = new MerkleTree(entries.map((e) => leafHash(Buffer.from(e, 'utf8'))));
  const payload = {
    treeSize: entries.length,
    rootHash: tree.root().toString('base64url'),
    timestamp: TIMESTAMP,
  };
  return { ...payload, jws: await signTreeHead(payload, signer) };
}

function exportOf(entries: { index: unknown; jws: string }[], head: SignedTreeHead): string {
  return (
    [...entries.map((e) => JSON.stringify(e)), JSON.stringify({ treeHead: head })].join('\n') + '\n'
  );
}

const numbered = (list: string[]) => list.map((jws, index) => ({ index, jws }));

beforeAll(async () => {
  [key, stranger] = await Promise.all([generateReceiptKey(), generateReceiptKey()]);
  jwses = await Promise.all(Array.from({ length: SIZE }, (_, i) => receiptJws(i)));
});

describe('verifyLogExport', () => {
  it('accepts an intact export and returns its signed head', async () => {
    const head = await headOver(jwses);
    const result = await verifyLogExport(exportOf(numbered(jwses), head), [key.publicJwk]);
    expect(result).toEqual({ ok: true, treeSize: SIZE, rootHash: head.rootHash, treeHead: head });
  });

  it('accepts an empty log', async () => {
    const head = await headOver([]);
    expect(await verifyLogExport(exportOf([], head), [key.publicJwk])).toMatchObject({
      ok: true,
      treeSize: 0,
      rootHash: '47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU',
    });
  });

  it('accepts CRLF line ends and a missing final newline', async () => {
    const text = exportOf(numbered(jwses), await headOver(jwses))
      .trimEnd()
      .replaceAll('\n', '\r\n');
    expect(await verifyLogExport(text, [key.publicJwk])).toMatchObject({ ok: true });
  });

  it('names an entry whose receipt was altered', async () => {
    const entries = numbered(jwses);
    const [h, p, s] = jwses[5]!.split('.') as [string, string, string];
    const payload = Buffer.from(p, 'base64url').toString().replace('"delivered"', '"withdrawn"');
    entries[5] = { index: 5, jws: [h, Buffer.from(payload).toString('base64url'), s].join('.') };
    const result = await verifyLogExport(exportOf(entries, await headOver(jwses)), [key.publicJwk]);
    expect(result).toMatchObject({ ok: false, firstBadIndex: 5 });
  });

  it('catches an entry replaced by another validly signed receipt through the root', async () => {
    const forged = [...jwses];
    forged[7] = await signReceipt(sampleReceipt({ logIndex: 7, letterId: 'someone-else' }), key);
    const result = await verifyLogExport(exportOf(numbered(forged), await headOver(jwses)), [
      key.publicJwk,
    ]);
    expect(result).toMatchObject({ ok: false, firstBadIndex: null });
    expect(result.ok || result.reason).toMatch(/root/);
  });

  it('names the place of a removed entry, whether or not the rest were renumbered', async () => {
    const head = await headOver(jwses);
    const kept = numbered(jwses).filter((e) => e.index !== 4);
    expect(await verifyLogExport(exportOf(kept, head), [key.publicJwk])).toMatchObject({
      ok: false,
      firstBadIndex: 4,
    });
    const renumbered = numbered(jwses.filter((_, i) => i !== 4));
    expect(await verifyLogExport(exportOf(renumbered, head), [key.publicJwk])).toMatchObject({
      ok: false,
      firstBadIndex: 4,
    });
  });

  it('names the place of a removed last entry', async () => {
    const head = await headOver(jwses);
    const result = await verifyLogExport(exportOf(numbered(jwses.slice(0, -1)), head), [
      key.publicJwk,
    ]);
    expect(result).toMatchObject({ ok: false, firstBadIndex: SIZE - 1 });
  });

  it('names the first of two swapped entries', async () => {
    const swapped = [...jwses];
    [swapped[2], swapped[3]] = [swapped[3]!, swapped[2]!];
    const result = await verifyLogExport(exportOf(numbered(swapped), await headOver(jwses)), [
      key.publicJwk,
    ]);
    expect(result).toMatchObject({ ok: false, firstBadIndex: 2 });
  });

  it('names an inserted entry, signed by us or by anyone else', async () => {
    const head = await headOver(jwses);
    const copied = [...jwses.slice(0, 6), jwses[5]!, ...jwses.slice(6)];
    expect(await verifyLogExport(exportOf(numbered(copied), head), [key.publicJwk])).toMatchObject({
      ok: false,
      firstBadIndex: 6,
    });
    const foreign = [...jwses.slice(0, 6), await receiptJws(6, stranger), ...jwses.slice(6)];
    expect(await verifyLogExport(exportOf(numbered(foreign), head), [key.publicJwk])).toMatchObject(
      {
        ok: false,
        firstBadIndex: 6,
      },
    );
  });

  it('names entries beyond what the tree head covers', async () => {
    const head = await headOver(jwses.slice(0, 10));
    expect(await verifyLogExport(exportOf(numbered(jwses), head), [key.publicJwk])).toMatchObject({
      ok: false,
      firstBadIndex: 10,
    });
  });

  it('rejects an export that does not start at 0', async () => {
    const entries = numbered(jwses).slice(1);
    expect(
      await verifyLogExport(exportOf(entries, await headOver(jwses)), [key.publicJwk]),
    ).toMatchObject({ ok: false, firstBadIndex: 0 });
  });

  it('rejects a head over other entries, signed by a stranger, or edited unsigned', async () => {
    const entries = numbered(jwses);
    const otherRoot = await headOver([...jwses.slice(0, -1), jwses[0]!]);
    const byStranger = await headOver(jwses, stranger);
    const good = await headOver(jwses);
    const edited = { ...good, rootHash: otherRoot.rootHash };
    for (const head of [otherRoot, byStranger, edited]) {
      const result = await verifyLogExport(exportOf(entries, head), [key.publicJwk]);
      expect(result).toMatchObject({ ok: false, firstBadIndex: null });
    }
  });

  it('rejects an export without a tree head, or with lines after it', async () => {
    const head = await headOver(jwses);
    const noHead = numbered(jwses)
      .map((e) => JSON.stringify(e))
      .join('\n');
    expect(await verifyLogExport(noHead, [key.publicJwk])).toMatchObject({
      ok: false,
      firstBadIndex: null,
      reason: 'the export has no tree head line',
    });
    const trailing =
      exportOf(numbered(jwses), head) + JSON.stringify({ index: SIZE, jws: jwses[0] });
    expect(await verifyLogExport(trailing, [key.publicJwk])).toMatchObject({
      ok: false,
      firstBadIndex: SIZE,
    });
  });

  it('names a line that is not an entry', async () => {
    const lines = exportOf(numbered(jwses), await headOver(jwses)).split('\n');
    lines[3] = '{"index": 3, "jws": ';
    expect(await verifyLogExport(lines.join('\n'), [key.publicJwk])).toMatchObject({
      ok: false,
      firstBadIndex: 3,
    });
    lines[3] = JSON.stringify({ index: 3, jws: jwses[3], note: 'x' });
    expect(await verifyLogExport(lines.join('\n'), [key.publicJwk])).toMatchObject({
      ok: false,
      firstBadIndex: 3,
    });
  });

  describe('with the previous tree head this auditor saw', () => {
    it('accepts a log that extends it', async () => {
      const earlier = await headOver(jwses.slice(0, 5));
      const text = exportOf(numbered(jwses), await headOver(jwses));
      expect(await verifyLogExport(text, [key.publicJwk], earlier)).toMatchObject({ ok: true });
      const same = await headOver(jwses);
      expect(await verifyLogExport(text, [key.publicJwk], same)).toMatchObject({ ok: true });
      const empty = await headOver([]);
      expect(await verifyLogExport(text, [key.publicJwk], empty)).toMatchObject({ ok: true });
    });

    it('rejects a log whose history differs from the one the previous head signed', async () => {
      // The operator showed this auditor a log where entry 2 was another receipt.
      const otherHistory = [...jwses.slice(0, 5)];
      otherHistory[2] = await signReceipt(sampleReceipt({ logIndex: 2, type: 'withdrawn' }), key);
      const previous = await headOver(otherHistory);
      const text = exportOf(numbered(jwses), await headOver(jwses));
      const result = await verifyLogExport(text, [key.publicJwk], previous);
      expect(result).toMatchObject({ ok: false, firstBadIndex: null });
      expect(result.ok || result.reason).toMatch(/different history/);
    });

    it('rejects a log shorter than the previous head', async () => {
      const previous = await headOver(jwses);
      const text = exportOf(numbered(jwses.slice(0, 8)), await headOver(jwses.slice(0, 8)));
      expect(await verifyLogExport(text, [key.publicJwk], previous)).toMatchObject({
        ok: false,
        firstBadIndex: null,
      });
    });

    it('rejects a previous head that does not verify', async () => {
      const previous = await headOver(jwses.slice(0, 5), stranger);
      const text = exportOf(numbered(jwses), await headOver(jwses));
      expect(await verifyLogExport(text, [key.publicJwk], previous)).toMatchObject({
        ok: false,
        firstBadIndex: null,
      });
    });
  });
});

describe('LogExportVerifier', () => {
  it('checks a streamed export and tells the reader to stop once it failed', async () => {
    // Long enough that the signature checks in flight have to be read before the end.
    const long = await Promise.all(Array.from({ length: 150 }, (_, i) => receiptJws(i)));
    const lines = exportOf(numbered(long), await headOver(long)).split('\n');
    lines[1] = JSON.stringify({ index: 1, jws: long[0] });
    const verifier = new LogExportVerifier([key.publicJwk]);
    let read = 0;
    for (const line of lines) {
      read++;
      if (!(await verifier.push(line))) break;
    }
    expect(read).toBeLessThan(lines.length);
    expect(await verifier.finish()).toMatchObject({ ok: false, firstBadIndex: 1 });
  });

  it('reports the earliest bad entry when a later one fails first', async () => {
    const lines = exportOf(numbered(jwses), await headOver(jwses)).split('\n');
    lines[2] = JSON.stringify({ index: 2, jws: await receiptJws(2, stranger) });
    lines[4] = 'not json';
    const result = await verifyLogExport(lines.join('\n'), [key.publicJwk]);
    expect(result).toMatchObject({ ok: false, firstBadIndex: 2 });
  });
});
