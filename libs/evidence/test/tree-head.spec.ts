import { decodeProtectedHeader } from 'jose';
import { signReceipt } from '../src/receipt';
import { generateReceiptKey, type GeneratedSigningKey } from '../src/signing-key';
import { sampleReceipt } from '../src/testing/receipts';
import { signTreeHead, verifyTreeHead, type TreeHeadPayload } from '../src/tree-head';

let key: GeneratedSigningKey;
beforeAll(async () => {
  key = await generateReceiptKey();
});

const head: TreeHeadPayload = {
  treeSize: 8,
  rootHash: Buffer.from(
    '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
    'hex',
  ).toString('base64url'),
  timestamp: '2025-03-01T12:01:00Z',
};

describe('signTreeHead and verifyTreeHead', () => {
  it('round-trips a tree head with its own typ', async () => {
    const jws = await signTreeHead(head, key);
    expect(decodeProtectedHeader(jws)).toEqual({
      alg: 'EdDSA',
      kid: key.kid,
      typ: 'postkasse-tree-head+jws',
    });
    expect(await verifyTreeHead(jws, [key.publicJwk])).toEqual(head);
  });

  it('signs only the three head fields, so a stored head can be passed as it is', async () => {
    const jws = await signTreeHead({ ...head, jws: 'old' } as TreeHeadPayload, key);
    expect(await verifyTreeHead(jws, [key.publicJwk])).toEqual(head);
  });

  it('refuses a malformed head', async () => {
    for (const bad of [
      { ...head, treeSize: -1 },
      { ...head, rootHash: head.rootHash.slice(1) },
      { ...head, rootHash: Buffer.alloc(32).toString('hex') },
      { ...head, timestamp: 'yesterday' },
    ]) {
      await expect(signTreeHead(bad, key)).rejects.toThrow(TypeError);
    }
  });

  it('rejects a receipt passed off as a tree head', async () => {
    const receipt = await signReceipt(sampleReceipt(), key);
    await expect(verifyTreeHead(receipt, [key.publicJwk])).rejects.toThrow(/typ/);
  });

  it('rejects a head signed by an unknown key', async () => {
    const stranger = await generateReceiptKey();
    await expect(
      verifyTreeHead(await signTreeHead(head, stranger), [key.publicJwk]),
    ).rejects.toThrow();
  });
});
