import {
  accessEntryHash,
  signAccessLeaf,
  type AccessEntryRecord,
} from '../../../libs/evidence/src/access-leaf';
import { canonicalJson as projectCanonicalJson } from '../../../libs/evidence/src/canonical';
import { leafHash, MerkleTree } from '../../../libs/evidence/src/merkle';
import { signReceipt } from '../../../libs/evidence/src/receipt';
import {
  generateReceiptKey,
  type GeneratedSigningKey,
} from '../../../libs/evidence/src/signing-key';
import { sampleReceipt } from '../../../libs/evidence/src/testing/receipts';
import { signTreeHead } from '../../../libs/evidence/src/tree-head';
import { verifyAccessLogEvidence } from '../../../libs/evidence/src/verify/access-log';
import { canonicalJson, checkInclusion, type PlatformJwk } from './access-log-check';

// The browser's check against evidence made by the platform's own code, and beside its verifier.
let key: GeneratedSigningKey;
let stranger: GeneratedSigningKey;
const jwk = (k: GeneratedSigningKey) => k.publicJwk as unknown as PlatformJwk;

const entry = (n: number): AccessEntryRecord => ({
  id: `0190f1a2-7b3c-7d4e-8f90-00000000000${n}`,
  at: `2026-03-0${n}T12:00:00.000Z`,
  actor: { kind: 'agency', id: 'a1', name: 'Skatteetaten – «Øst»' },
  action: 'notice.stored',
  purpose: 'Assessment',
  notice: {
    dataCategory: 'income',
    legalBasis: 'Tax act § 5',
    occurredAt: `2026-03-0${n}T11:00:00.000Z`,
  },
  ...(n === 3 ? { withheld: { until: '2026-03-05T00:00:00.000Z', reason: 'Investigation' } } : {}),
});

/** A receipt, then a leaf for each entry, and the evidence served for them (signed by `signer`). */
async function evidenceOf(entries: AccessEntryRecord[], signer = key) {
  const jwses = [await signReceipt(sampleReceipt({ logIndex: 0 }), signer)];
  for (const e of entries) {
    jwses.push(
      await signAccessLeaf(
        {
          recipientRef: 'q1bOcdqpXl8J3Dbqk0dYpgYaPnbT7sFVlKsbDqtQdLE',
          at: e.at,
          entryHash: accessEntryHash(e),
          logIndex: jwses.length,
        },
        signer,
      ),
    );
  }
  const tree = new MerkleTree(jwses.map((j) => leafHash(Buffer.from(j, 'utf8'))));
  const head = {
    treeSize: jwses.length,
    rootHash: tree.root().toString('base64url'),
    timestamp: '2026-03-10T00:00:00Z',
  };
  return {
    treeHead: { ...head, jws: await signTreeHead(head, signer) },
    entries: entries as never[],
    leaves: jwses.slice(1).map((jws, i) => ({
      index: i + 1,
      jws,
      inclusionProof: tree.inclusionProof(i + 1).map((p) => p.toString('base64url')),
    })),
  };
}

const entries = [entry(1), entry(2), entry(3)];
const ids = entries.map((e) => e.id);

beforeAll(async () => {
  [key, stranger] = await Promise.all([generateReceiptKey(), generateReceiptKey()]);
});

describe('the access log check in the browser', () => {
  it('writes RFC 8785 JSON as the platform does', () => {
    const value = { b: [1, 2.5, 'x'], a: { é: null, Z: true, '\u20ac': 'ü"\n' }, c: 1e21 };
    expect(canonicalJson(value)).toBe(projectCanonicalJson(value));
  });

  it('passes every entry of a true log, as the project verifier does', async () => {
    const evidence = await evidenceOf(entries);
    expect(await verifyAccessLogEvidence(evidence, [key.publicJwk])).toMatchObject({ ok: true });
    expect(await checkInclusion(evidence, [jwk(key)], ids)).toEqual({
      ok: true,
      entries: 3,
      treeSize: 4,
      signedAt: '2026-03-10T00:00:00Z',
    });
  });

  it('names an entry changed after its leaf was committed', async () => {
    const evidence = await evidenceOf(entries);
    evidence.entries[1] = { ...entries[1], purpose: 'Something else' } as never;
    expect(await checkInclusion(evidence, [jwk(key)], ids)).toEqual({
      ok: false,
      problems: [
        `entry ${ids[1]} (${entries[1]!.at}) has no leaf in the log`,
        'leaf 2 has no entry: an entry was removed from the access log',
      ],
    });
  });

  it('names a leaf whose proof does not reach the root, and an entry not in the evidence', async () => {
    const evidence = await evidenceOf(entries);
    evidence.leaves[0]!.inclusionProof.reverse();
    const result = await checkInclusion(evidence, [jwk(key)], [...ids, 'missing']);
    expect(result).toEqual({
      ok: false,
      problems: [
        'leaf 1 is not in the tree head of size 4',
        `entry ${ids[0]} (${entries[0]!.at}) has no leaf in the log`,
        'entry missing is not in the evidence',
      ],
    });
  });

  it('names a leaf whose entry was removed from the access log', async () => {
    const evidence = await evidenceOf(entries);
    evidence.entries.splice(2, 1);
    expect(await checkInclusion(evidence, [jwk(key)], ids.slice(0, 2))).toEqual({
      ok: false,
      problems: ['leaf 3 has no entry: an entry was removed from the access log'],
    });
  });

  it('refuses a tree head signed by a key that is not the platform’s', async () => {
    const evidence = await evidenceOf(entries, stranger);
    const result = await checkInclusion(evidence, [jwk(key)], ids);
    expect(result).toEqual({
      ok: false,
      problems: [expect.stringMatching(/^the tree head does not verify: unknown key/)],
    });
  });

  it('refuses a head whose signature does not match its payload', async () => {
    const evidence = await evidenceOf(entries);
    const [h, , s] = evidence.treeHead.jws.split('.');
    const forged = Buffer.from(JSON.stringify({ ...evidence.treeHead, treeSize: 5 })).toString(
      'base64url',
    );
    evidence.treeHead.jws = `${h}.${forged}.${s}`;
    expect(await checkInclusion(evidence, [jwk(key)], ids)).toEqual({
      ok: false,
      problems: ['the tree head does not verify: bad signature'],
    });
  });
});
