import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as openpgp from 'openpgp';
import { API_RULE, Api, locateApi } from './api';
import { CliError, UsageError, required, unknownSubcommand } from './context';

export const USAGE = `usage:
  reply open (--id ID --api-key KEY | --from REPLY.json) --key PRIVATE.asc --out DIR [--api URL]

Decrypts a reply (or a message) citizens sent the agency with the agency's private encryption
key and writes each document to DIR under its filename; nothing is sent anywhere. --id fetches
GET /v1/replies/{id} with the agency's API key (default: $POSTKASSE_API_KEY); --from reads that
answer from a file. A key protected by a passphrase takes it from $POSTKASSE_KEY_PASSPHRASE.
  --api URL   where the API is: ${API_RULE}`;

interface ReplyAnswer {
  id: string;
  letterId: string | null;
  topic: string | null;
  at: string;
  writtenAs: string;
  documents: { filename: string; mediaType: string; content: string }[];
}

async function privateKey(file: string): Promise<openpgp.PrivateKey> {
  let key = await openpgp.readPrivateKey({ armoredKey: readFileSync(file, 'utf8') });
  if (!key.isDecrypted()) {
    const passphrase = process.env.POSTKASSE_KEY_PASSPHRASE;
    if (passphrase === undefined)
      throw new UsageError('the key is protected: set POSTKASSE_KEY_PASSPHRASE');
    key = await openpgp.decryptKey({ privateKey: key, passphrase });
  }
  return key;
}

async function fetchReply(values: Record<string, string | undefined>): Promise<ReplyAnswer> {
  if (values.from) return JSON.parse(readFileSync(values.from, 'utf8')) as ReplyAnswer;
  const id = required(values, 'id');
  const apiKey = values['api-key'];
  if (!apiKey) throw new UsageError('--api-key is required with --id');
  return new Api(locateApi(values.api)).json<ReplyAnswer>(`/v1/replies/${encodeURIComponent(id)}`, {
    headers: { authorization: `Bearer ${apiKey}` },
  });
}

async function open(values: Record<string, string | undefined>): Promise<void> {
  const out = required(values, 'out');
  const key = await privateKey(required(values, 'key'));
  const reply = await fetchReply(values);
  for (const [index, doc] of reply.documents.entries()) {
    let data: Uint8Array;
    try {
      const message = await openpgp.readMessage({
        binaryMessage: Buffer.from(doc.content, 'base64'),
      });
      ({ data } = await openpgp.decrypt({ message, decryptionKeys: key, format: 'binary' }));
    } catch (error) {
      throw new CliError(`document ${index} (${doc.filename}): ${(error as Error).message}`);
    }
    // The API refused separators and control characters in filenames; `wx` never overwrites.
    const file = join(out, doc.filename);
    writeFileSync(file, data, { flag: 'wx' });
    console.log(`${file}  ${doc.mediaType}  ${data.length} bytes`);
  }
  const about = reply.letterId ? `reply to letter ${reply.letterId}` : `message on ${reply.topic}`;
  console.log(`${reply.id}: ${about}, written as ${reply.writtenAs} at ${reply.at}`);
}

export async function replyCommand(sub: string | undefined, argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      id: { type: 'string' },
      from: { type: 'string' },
      key: { type: 'string' },
      out: { type: 'string' },
      api: { type: 'string' },
      'api-key': { type: 'string', default: process.env.POSTKASSE_API_KEY },
    },
  });
  if (sub === 'open') return open(values);
  throw unknownSubcommand('reply', sub, ['open']);
}
