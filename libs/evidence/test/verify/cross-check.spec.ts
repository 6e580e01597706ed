import { randomBytes } from 'node:crypto';
import { leafHash as serverLeafHash, MerkleTree } from '../../src/merkle';
import { verifyConsistency } from '../../src/verify/consistency';
import { hashLeaf } from '../../src/verify/hashing';
import { verifyInclusion } from '../../src/verify/inclusion';
import { TreeRoot } from '../../src/verify/tree-root';

// The server's tree code and the offline verifier are written apart on purpose; here each
// checks the other on every index and size pair of trees up to 300 leaves, well past the
// eight leaves of the published vectors.
describe('the server tree and the offline verifier agree', () => {
  const MAX = 300;
  const entries = Array.from({ length: MAX }, (_, i) => randomBytes(i % 40));
  const leaves = entries.map(serverLeafHash);
  const tree = new MerkleTree(leaves);
  const roots = [tree.root(0)];
  for (let n = 1; n <= MAX; n++) roots.push(tree.root(n));

  it('hash leaves alike', () => {
    entries.forEach((e) => expect(hashLeaf(e)).toEqual(serverLeafHash(e)));
  });

  it('compute the same root for every size', () => {
    const streamed = new TreeRoot();
    expect(streamed.root()).toEqual(roots[0]);
    leaves.forEach((leaf, i) => {
      streamed.addLeafHash(leaf);
      expect(streamed.root()).toEqual(roots[i + 1]);
    });
  });

  it('accept every inclusion proof the server gives, and only at its own index', () => {
    for (let n = 1; n <= MAX; n++) {
      for (let i = 0; i < n; i++) {
        const path = tree.inclusionProof(i, n);
        if (!verifyInclusion(leaves[i]!, i, n, path, roots[n]!)) {
          throw new Error(`inclusion of ${i} in ${n} did not verify`);
        }
        // A wrong index must fail too; sampled, as each check costs as much as the one above.
        const j = (i + 1) % n;
        if (j !== i && (i + n) % 5 === 0 && verifyInclusion(leaves[i]!, j, n, path, roots[n]!)) {
          throw new Error(`inclusion of ${i} in ${n} also verified at ${j}`);
        }
      }
    }
  });

  it('accept every consistency proof the server gives, and only for its own sizes', () => {
    for (let n = 1; n <= MAX; n++) {
      for (let m = 0; m <= n; m++) {
        const proof = tree.consistencyProof(m, n);
        if (!verifyConsistency(m, n, proof, roots[m]!, roots[n]!)) {
          throw new Error(`consistency ${m} → ${n} did not verify`);
        }
        const sampled = (m + n) % 5 === 0;
        if (sampled && m > 0 && m < n && verifyConsistency(m, n, proof, roots[m - 1]!, roots[n]!)) {
          throw new Error(`consistency ${m} → ${n} verified against the root of ${m - 1}`);
        }
      }
    }
  });
});
