import { createReadStream, readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import type { JWK } from 'jose';
import {
  ExportArchiveVerifier,
  LogExportVerifier,
  readArchive,
  verifyAccessLogEvidence,
  verifyReceiptEvidence,
  type ReceiptEvidence,
  type SignedTreeHead,
} from '#evidence';
import { Api, API_RULE, locateApi } from './api';
import { CliError, UsageError, unknownSubcommand } from './context';

const VERIFIERS = ['verify', 'verify-access-log', 'verify-receipt', 'verify-export'];

export const USAGE = `usage:
  evidence export --token AUDITOR_TOKEN [--api URL] [--from N] [--to N] > export.ndjson
  evidence verify FILE --key JWKS_OR_JWK (file or URL) [--previous HEAD.json] [--save-head HEAD.json]
  evidence verify-access-log FILE --key JWKS_OR_JWK
  evidence verify-receipt FILE --key JWKS_OR_JWK (file or URL)
  evidence verify-export FILE.tar --key JWKS_OR_JWK (file or URL)

  export writes the receipt log and a signed tree head as NDJSON (an auditor's token:
  npm run -s cli -- dev token --auditor NAME); verify checks an export offline, exit 0 or 1.
  verify-access-log checks a citizen's access log against the transparency log offline (FILE:
  GET /v1/mailbox/access-log/evidence, or one entry's …/access-log/{id}/proof): every entry has
  its leaf at the time it claims, every leaf its entry; exit 0, or 1 naming the first problem.
  verify-receipt checks one receipt offline, as a citizen keeps it: {"jws", "inclusionProof",
  "treeHead"} (a reply's receipt from GET /v1/mailbox/letters/{id}/replies, or that reply).
  verify-export checks a citizen's mailbox export (GET /v1/mailbox/export) offline: the
  manifest and its signature, every file's SHA-256, every receipt's signature and inclusion
  proof, the tree head; exit 0 with a summary, or 1 naming the first bad item.
  --api URL   where the API is: ${API_RULE}`;

/** Accepts a JWKS, a single JWK, or the platform's `/v1/platform/keys` answer. */
async function loadKeys(source: string): Promise<JWK[]> {
  type Keys = { keys?: JWK[]; receipts?: { keys: JWK[] } } & JWK;
  const value = /^https?:\/\//.test(source)
    ? await new Api({ url: source, source: '--key' }).json<Keys>('')
    : (JSON.parse(readFileSync(source, 'utf8')) as Keys);
  if (value.receipts?.keys) return value.receipts.keys;
  if (Array.isArray(value.keys)) return value.keys;
  return [value];
}

async function verify(
  file: string,
  options: { key?: string; previous?: string; 'save-head'?: string },
): Promise<number> {
  if (!options.key) throw new UsageError('evidence verify: --key is required');
  const previous = options.previous
    ? (JSON.parse(readFileSync(options.previous, 'utf8')) as SignedTreeHead)
    : undefined;
  const verifier = new LogExportVerifier(await loadKeys(options.key), previous);
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  for await (const line of lines) {
    if (!(await verifier.push(line))) break;
  }
  const result = await verifier.finish();
  if (!result.ok) {
    const where = result.firstBadIndex === null ? '' : ` at index ${result.firstBadIndex}`;
    console.error(`FAILED${where}: ${result.reason}`);
    return 1;
  }
  console.log(
    `OK: ${result.treeSize} entries; root ${result.rootHash}${previous ? `; consistent with the head of size ${previous.treeSize}` : ''}`,
  );
  if (options['save-head'])
    writeFileSync(options['save-head'], JSON.stringify(result.treeHead, null, 2));
  return 0;
}

async function verifyAccessLog(file: string, options: { key?: string }): Promise<number> {
  if (!options.key) throw new UsageError('evidence verify-access-log: --key is required');
  const value = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  // One entry's proof is checked as a log of that entry and its leaf.
  const evidence =
    'entry' in value
      ? { treeHead: value.treeHead, entries: [value.entry], leaves: [value.leaf] }
      : value;
  const result = await verifyAccessLogEvidence(evidence, await loadKeys(options.key));
  if (!result.ok) {
    console.error(`FAILED: ${result.problems[0]}`);
    for (const problem of result.problems.slice(1)) console.error(`  also: ${problem}`);
    return 1;
  }
  console.log(
    `OK: ${result.entries} entries, ${result.leaves} leaves, all in the tree head of size ${result.treeSize}`,
  );
  return 0;
}

async function verifyOneReceipt(file: string, options: { key?: string }): Promise<number> {
  if (!options.key) throw new UsageError('evidence verify-receipt: --key is required');
  const value = JSON.parse(readFileSync(file, 'utf8')) as ReceiptEvidence & {
    receipt?: ReceiptEvidence;
  };
  const result = await verifyReceiptEvidence(value.receipt ?? value, await loadKeys(options.key));
  if (!result.ok) {
    console.error(`FAILED: ${result.reason}`);
    return 1;
  }
  const { receipt } = result;
  console.log(
    `OK: ${receipt.type} receipt of letter ${receipt.letterId}${receipt.replyId ? ` (reply ${receipt.replyId})` : ''} at ${receipt.at}, entry ${receipt.logIndex} of the log of ${result.treeSize} entries; root ${result.rootHash}`,
  );
  return 0;
}

async function verifyExport(file: string, options: { key?: string }): Promise<number> {
  if (!options.key) throw new UsageError('evidence verify-export: --key is required');
  const verifier = new ExportArchiveVerifier(await loadKeys(options.key));
  try {
    for await (const entry of readArchive(createReadStream(file))) {
      await verifier.push(entry.path, entry.bytes);
    }
  } catch (err) {
    console.error(`FAILED: ${file} is not a readable tar archive (${(err as Error).message})`);
    return 1;
  }
  const result = await verifier.finish();
  if (!result.ok) {
    console.error(`FAILED at ${result.item}: ${result.reason}`);
    return 1;
  }
  const s = result.summary;
  const pending = s.receipts.notYetInLog ? `, ${s.receipts.notYetInLog} not yet in the log` : '';
  console.log(
    `OK: ${s.letters} letters, ${s.documents} documents, ${s.receipts.proven} receipts proven ` +
      `against the tree head of size ${s.treeSize}${pending}; ${s.accessLogEntries} access-log ` +
      `entries, ${s.accessLogEntriesInLog} of them checked against the transparency log; ${s.files} files match the signed manifest`,
  );
  return 0;
}

async function exportLog(options: {
  api?: string;
  token?: string;
  from?: string;
  to?: string;
}): Promise<number> {
  if (!options.token) throw new UsageError('evidence export: --token is required');
  const query = new URLSearchParams();
  if (options.from) query.set('from', options.from);
  if (options.to) query.set('to', options.to);
  const response = await new Api(locateApi(options.api)).request(`/v1/audit/log?${query}`, {
    headers: { authorization: `Bearer ${options.token}` },
  });
  if (!response.ok)
    throw new CliError(`evidence export: ${Api.failure(response, await response.text())}`);
  process.stdout.write(Buffer.from(await response.arrayBuffer()));
  return 0;
}

/** Works offline: needs no database and no configuration, only the export and the public key. */
export async function evidenceCommand(sub: string | undefined, argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      key: { type: 'string' },
      previous: { type: 'string' },
      'save-head': { type: 'string' },
      api: { type: 'string' },
      token: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
    },
  });
  if (sub === 'verify' && positionals[0]) process.exitCode = await verify(positionals[0], values);
  else if (sub === 'verify-access-log' && positionals[0])
    process.exitCode = await verifyAccessLog(positionals[0], values);
  else if (sub === 'verify-receipt' && positionals[0])
    process.exitCode = await verifyOneReceipt(positionals[0], values);
  else if (sub === 'verify-export' && positionals[0])
    process.exitCode = await verifyExport(positionals[0], values);
  else if (sub === 'export') process.exitCode = await exportLog(values);
  else if (sub && VERIFIERS.includes(sub)) throw new UsageError(`evidence ${sub}: name the FILE`);
  else throw unknownSubcommand('evidence', sub, ['export', ...VERIFIERS]);
}
