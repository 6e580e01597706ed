// Time to build the log's Merkle tree and to prove from it at a realistic size; too slow for
// the unit tests at 1,000,000 leaves. After `npm run build`:
//   node dist/libs/evidence/bench/merkle-tree.bench.js [leaves]
import { randomBytes } from 'node:crypto';
import { leafHash, MerkleTree } from '../src/merkle';
import { verifyConsistency, verifyInclusion } from '../src/verify';

function time<T>(run: () => T): { value: T; ms: number } {
  const started = process.hrtime.bigint();
  const value = run();
  return { value, ms: Number(process.hrtime.bigint() - started) / 1e6 };
}

function main(): void {
  const leaves = Number(process.argv[2] ?? 1_000_000);
  // Leaf hashes come from the database in the server; their making is not part of the figure.
  const hashes = Array.from({ length: leaves }, (_, i) => leafHash(Buffer.from(`entry ${i}`)));
  const build = time(() => new MerkleTree(hashes));
  const tree = build.value;
  const root = time(() => tree.root());
  const index = Math.floor(leaves * 0.7);
  const inclusion = time(() => tree.inclusionProof(index));
  const oldSize = Math.floor(leaves * 0.6) + 1;
  const consistency = time(() => tree.consistencyProof(oldSize));
  const append = time(() => {
    tree.append(randomBytes(32));
    return tree.root();
  });
  const ok =
    verifyInclusion(hashes[index]!, index, leaves, inclusion.value, root.value) &&
    verifyConsistency(oldSize, leaves, consistency.value, tree.root(oldSize), root.value);
  const figures = {
    leaves,
    buildMs: Math.round(build.ms),
    rootMs: +root.ms.toFixed(3),
    inclusionProofMs: +inclusion.ms.toFixed(3),
    consistencyProofMs: +consistency.ms.toFixed(3),
    appendAndRootMs: +append.ms.toFixed(3),
    heapMiB: Math.round(process.memoryUsage().heapUsed / 2 ** 20),
    proofsVerify: ok,
  };
  console.log(JSON.stringify(figures));
  if (!ok) process.exitCode = 1;
}

main();
