/**
 * Evidence figures (part of `npm run bench`; also `node dist/bench/evidence.js [--quick]`):
 * - receipts appended per second by the sequencer (sign + append) against the real database;
 * - tree building and proof generation at 1,000,000 entries;
 * - offline verification time of an export of 100,000 entries.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '#config';
import { createDataSource } from '#database';
import {
  LogExportVerifier,
  MerkleTree,
  leafHash,
  signReceipt,
  signTreeHead,
  verifyInclusion,
} from '#evidence';
import { ReceiptSequencer } from '#letters';
import { admin, dbUrl } from './db';
import { fmt } from './stats';

const ROOT = resolve(__dirname, '../..');
// `npm run bench` passes all its options to every part; this one reads only --quick.
const { values: args } = parseArgs({
  options: { quick: { type: 'boolean', default: false } },
  strict: false,
});
const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;

async function sequencerRate(count: number) {
  const name = `postkasse_bench_ev_${randomBytes(3).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
  const db = await createDataSource(dbUrl(name), 4).initialize();
  try {
    await db.runMigrations({ transaction: 'each' });
    const config = await loadConfig({
      NODE_ENV: 'test',
      SECRETS_FILE: join(ROOT, '.secrets/bench.json'),
    });
    const agency = randomUUID();
    const mailbox = randomUUID();
    await db.query(`INSERT INTO agencies (id, name) VALUES ($1, 'Bench')`, [agency]);
    await db.query(
      `INSERT INTO mailboxes (id, national_id_hmac, recipient_ref, master_key_version) VALUES ($1, $2, 'ref', 1)`,
      [mailbox, randomBytes(32)],
    );
    await db.query(
      `INSERT INTO letters (id, agency_id, mailbox_id, title, state)
       SELECT gen_random_uuid(), $1, $2, 'Bench', 'accepted' FROM generate_series(1, $3)`,
      [agency, mailbox, count],
    );
    await db.query(
      `INSERT INTO receipts (id, letter_id, agency_id, type, at, payload)
       SELECT gen_random_uuid(), l.id, l.agency_id, 'accepted', now(),
              jsonb_build_object('letterId', l.id, 'type', 'accepted', 'at', to_char(now() AT TIME ZONE 'utc', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                'agencyId', l.agency_id, 'recipientRef', 'cmVm',
                'documents', jsonb_build_array(jsonb_build_object('ciphertextSha256', encode(sha256(l.id::text::bytea), 'hex'))))
         FROM letters l`,
    );
    const sequencer = new ReceiptSequencer(db, config.receiptSigningKey);
    const start = process.hrtime.bigint();
    let done = 0;
    while (done < count) done += await sequencer.sequenceBatch(500);
    return { count, perSecond: count / (ms(start) / 1000) };
  } finally {
    await db.destroy();
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}

function proofsAtScale(leaves: number) {
  const hashes = Array.from({ length: leaves }, () => randomBytes(32));
  let start = process.hrtime.bigint();
  const tree = new MerkleTree(hashes);
  const buildMs = ms(start);
  const samples = 1_000;
  start = process.hrtime.bigint();
  let ok = true;
  const root = tree.root();
  for (let i = 0; i < samples; i += 1) {
    const index = Math.floor(Math.random() * leaves);
    const path = tree.inclusionProof(index);
    if (i % 100 === 0) ok &&= verifyInclusion(hashes[index], index, leaves, path, root);
  }
  const inclusionMs = ms(start) / samples;
  start = process.hrtime.bigint();
  for (let i = 0; i < samples; i += 1)
    tree.consistencyProof(1 + Math.floor(Math.random() * (leaves - 1)));
  const consistencyMs = ms(start) / samples;
  return { leaves, buildMs, inclusionMs, consistencyMs, ok };
}

async function verificationTime(entries: number) {
  const config = await loadConfig({
    NODE_ENV: 'test',
    SECRETS_FILE: join(ROOT, '.secrets/bench.json'),
  });
  const key = config.receiptSigningKey;
  const lines: string[] = [];
  const tree = new MerkleTree();
  const at = new Date().toISOString();
  for (let i = 0; i < entries; i += 1) {
    const jws = await signReceipt(
      {
        letterId: randomUUID(),
        type: 'delivered',
        at,
        agencyId: '01a20974-f7e0-736a-ae13-b334a6fc4ef9',
        recipientRef: 'WCNvqaOQfpaOlad60Ma64_IqMBn-YVDAwXXaYrSTmFE',
        documents: [
          {
            ciphertextSha256: randomBytes(32).toString('hex'),
            plaintextSha256: randomBytes(32).toString('hex'),
          },
        ],
        logIndex: i,
      },
      key,
    );
    tree.append(leafHash(Buffer.from(jws)));
    lines.push(JSON.stringify({ index: i, jws }));
  }
  const head = { treeSize: entries, rootHash: tree.root().toString('base64url'), timestamp: at };
  lines.push(JSON.stringify({ treeHead: { ...head, jws: await signTreeHead(head, key) } }));
  const verifier = new LogExportVerifier([{ ...key.publicJwk, kid: key.kid }]);
  const start = process.hrtime.bigint();
  for (const line of lines) await verifier.push(line);
  const result = await verifier.finish();
  return { entries, seconds: ms(start) / 1000, ok: result.ok };
}

async function main(): Promise<void> {
  const quick = args.quick === true;
  console.log('\nEvidence');
  const seq = await sequencerRate(quick ? 5_000 : 20_000);
  const proofs = proofsAtScale(1_000_000);
  const verify = await verificationTime(quick ? 20_000 : 100_000);
  console.log(`
| measure | value |
|---|---|
| receipts sequenced (signed + appended) per second, ${seq.count} receipts | ${fmt(seq.perSecond, 0)} /s |
| Merkle tree build at ${proofs.leaves.toLocaleString('en')} entries | ${fmt(proofs.buildMs, 0)} ms |
| inclusion proof at ${proofs.leaves.toLocaleString('en')} entries | ${fmt(proofs.inclusionMs, 3)} ms (verified: ${proofs.ok}) |
| consistency proof at ${proofs.leaves.toLocaleString('en')} entries | ${fmt(proofs.consistencyMs, 3)} ms |
| offline verification of an export of ${verify.entries.toLocaleString('en')} entries | ${fmt(verify.seconds)} s (${fmt(verify.entries / verify.seconds, 0)} entries/s, ok: ${verify.ok}) |
`);
}

main()
  .then(() => process.exit(0))
  .catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
