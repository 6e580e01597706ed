import {
  accessEntryHash,
  signAccessLeaf,
  verifyAccessLeaf,
  type AccessEntryRecord,
} from '../../src/access-leaf';
import { leafHash, MerkleTree } from '../../src/merkle';
import { signReceipt } from '../../src/receipt';
import { generateReceiptKey, type GeneratedSigningKey } from '../../src/signing-key';
import { sampleReceipt } from '../../src/testing/receipts';
import { signTreeHead, type SignedTreeHead } from '../../src/tree-head';
import { verifyAccessLogEvidence, type AccessLogEvidence } from '../../src/verify/access-log';
import { verifyLogExport } from '../../src/verify/log-export';

const MINE = 'q1bOcdqpXl8J3Dbqk0dYpgYaPnbT7sFVlKsbDqtQdLE';
const THEIRS = 'zzbOcdqpXl8J3Dbqk0dYpgYaPnbT7sFVlKsbDqtQdLE';

let key: GeneratedSigningKey;
let stranger: GeneratedSigningKey;

const entry = (n: number, overrides: Partial<AccessEntryRecord> = {}): AccessEntryRecord => ({
  id: `0190f1a2-7b3c-7d4e-8f90-00000000000${n}`,
  at: `2026-03-0${n}T12:00:00.000Z`,
  actor: { kind: 'agency', id: 'a1', name: 'Tax agency' },
  action: 'notice.stored',
  purpose: 'Assessment',
  notice: {
    dataCategory: 'income',
    legalBasis: 'Tax act § 5',
    occurredAt: `2026-03-0${n}T11:00:00.000Z`,
  },
  ...overrides,
});

/**
 * A log of a receipt, then the leaves of `entries` (for `recipientRefs[i]`, default mine), and
 * the evidence a citizen would be served for the leaves of their mailbox.
 */
async function logOf(
  entries: AccessEntryRecord[],
  options: { recipientRefs?: string[]; leafAt?: (e: AccessEntryRecord) => string } = {},
) {
  const jwses = [await signReceipt(sampleReceipt({ logIndex: 0 }), key)];
  for (const [i, e] of entries.entries()) {
    jwses.push(
      await signAccessLeaf(
        {
          recipientRef: options.recipientRefs?.[i] ?? MINE,
          at: options.leafAt?.(e) ?? e.at,
          entryHash: accessEntryHash(e),
          logIndex: jwses.length,
        },
        key,
      ),
    );
  }
  const tree = new MerkleTree(jwses.map((j) => leafHash(Buffer.from(j, 'utf8'))));
  const payload = {
    treeSize: jwses.length,
    rootHash: tree.root().toString('base64url'),
    timestamp: '2026-03-10T00:00:00Z',
  };
  const treeHead: SignedTreeHead = { ...payload, jws: await signTreeHead(payload, key) };
  const leaves = jwses.slice(1).map((jws, i) => ({
    index: i + 1,
    jws,
    inclusionProof: tree.inclusionProof(i + 1).map((p) => p.toString('base64url')),
  }));
  return { jwses, treeHead, leaves };
}

beforeAll(async () => {
  [key, stranger] = await Promise.all([generateReceiptKey(), generateReceiptKey()]);
});

describe('an access-log entry and its leaf', () => {
  it('hashes the canonical form, so field order does not matter and any change does', () => {
    const e = entry(1);
    const { purpose, ...rest } = e;
    const reordered = { purpose, ...rest };
    expect(accessEntryHash(reordered)).toBe(accessEntryHash(e));
    expect(accessEntryHash({ ...e, purpose: 'Other' })).not.toBe(accessEntryHash(e));
    expect(accessEntryHash(e)).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('signs a leaf with only the recipientRef, the time and the hash, and refuses more', async () => {
    const leaf = { recipientRef: MINE, at: entry(1).at, entryHash: accessEntryHash(entry(1)) };
    const jws = await signAccessLeaf({ ...leaf, logIndex: 3 }, key);
    expect(await verifyAccessLeaf(jws, [key.publicJwk])).toEqual({ ...leaf, logIndex: 3 });
    await expect(
      signAccessLeaf({ ...leaf, logIndex: 3, nationalId: '1' } as never, key),
    ).rejects.toThrow(/unknown field nationalId/);
    await expect(verifyAccessLeaf(jws, [stranger.publicJwk])).rejects.toThrow();
  });

  it('passes the log export check beside receipts, and is named when out of place', async () => {
    const { jwses, treeHead } = await logOf([entry(1), entry(2)]);
    const ndjson = (lines: { index: number; jws: string }[]) =>
      [...lines.map((l) => JSON.stringify(l)), JSON.stringify({ treeHead })].join('\n');
    const all = jwses.map((jws, index) => ({ index, jws }));
    expect(await verifyLogExport(ndjson(all), [key.publicJwk])).toMatchObject({
      ok: true,
      treeSize: 3,
    });
    const swapped = [all[0]!, { index: 1, jws: jwses[2]! }, { index: 2, jws: jwses[1]! }];
    expect(await verifyLogExport(ndjson(swapped), [key.publicJwk])).toMatchObject({
      ok: false,
      firstBadIndex: 1,
      reason: 'entry 1 is access leaf 2',
    });
  });
});

describe('verifying a citizen’s access log against the transparency log', () => {
  it('accepts entries that each have their leaf, committed within a day of their time', async () => {
    const entries = [
      entry(1),
      entry(2, { withheld: { until: '2026-03-05T00:00:00.000Z', reason: 'Investigation' } }),
    ];
    const { treeHead, leaves } = await logOf(entries, {
      leafAt: (e) => new Date(Date.parse(e.at) + 3_600_000).toISOString(),
    });
    const evidence: AccessLogEvidence = { treeHead, entries, leaves };
    expect(await verifyAccessLogEvidence(evidence, [key.publicJwk])).toEqual({
      ok: true,
      entries: 2,
      leaves: 2,
      treeSize: 3,
    });
  });

  it('names an entry removed from the access log: its leaf stays', async () => {
    const entries = [entry(1), entry(2), entry(3)];
    const { treeHead, leaves } = await logOf(entries);
    const result = await verifyAccessLogEvidence(
      { treeHead, entries: [entries[0], entries[2]], leaves },
      [key.publicJwk],
    );
    expect(result).toEqual({
      ok: false,
      problems: [
        'leaf 2 (2026-03-02T12:00:00.000Z) has no entry: an entry was removed from the access log',
      ],
    });
  });

  it('names an entry added or changed without a leaf, and one backdated', async () => {
    const entries = [entry(1), entry(2)];
    const { treeHead, leaves } = await logOf(entries, {
      leafAt: (e) => (e.id === entries[1]!.id ? '2026-03-08T12:00:00.000Z' : e.at),
    });
    const slipped = entry(4);
    const result = await verifyAccessLogEvidence(
      { treeHead, entries: [{ ...entries[0]!, purpose: 'Changed' }, entries[1], slipped], leaves },
      [key.publicJwk],
    );
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems).toEqual([
      `entry ${entries[0]!.id} (2026-03-01T12:00:00.000Z) has no leaf in the log: it was added or changed afterwards`,
      `entry ${entries[1]!.id} claims 2026-03-02T12:00:00.000Z, but its leaf 2 was committed at 2026-03-08T12:00:00.000Z`,
      `entry ${slipped.id} (2026-03-04T12:00:00.000Z) has no leaf in the log: it was added or changed afterwards`,
      'leaf 1 (2026-03-01T12:00:00.000Z) has no entry: an entry was removed from the access log',
    ]);
  });

  it('refuses leaves not in the signed tree, of another mailbox, or signed by another key', async () => {
    const entries = [entry(1), entry(2)];
    const { treeHead, leaves } = await logOf(entries, { recipientRefs: [MINE, THEIRS] });
    const bent = { ...leaves[0]!, inclusionProof: leaves[1]!.inclusionProof };
    const notIncluded = await verifyAccessLogEvidence(
      { treeHead, entries: [entries[0]], leaves: [bent] },
      [key.publicJwk],
    );
    expect(!notIncluded.ok && notIncluded.problems[0]).toBe(
      'leaves[0]: leaf 1 is not included in the tree head of size 3',
    );
    const mixed = await verifyAccessLogEvidence({ treeHead, entries, leaves }, [key.publicJwk]);
    expect(!mixed.ok && mixed.problems[0]).toBe('leaves[1]: leaf 2 is of another mailbox');
    const forged = await verifyAccessLogEvidence({ treeHead, entries, leaves }, [
      stranger.publicJwk,
    ]);
    expect(!forged.ok && forged.problems[0]).toMatch(/^the tree head does not verify/);
    expect(await verifyAccessLogEvidence({ entries: [] }, [key.publicJwk])).toEqual({
      ok: false,
      problems: ['not an access log with its evidence'],
    });
  });
});
