import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';
import { encryptAndSignForPlatform } from '#crypto';
import { UsageError, required } from './context';

const MEDIA_TYPES: Record<string, string> = {
  '.pdf': 'application/pdf',
  '.txt': 'text/plain',
  '.html': 'text/html',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.csv': 'text/csv',
  '.md': 'text/plain',
  '.xml': 'application/xml',
  '.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  '.odt': 'application/vnd.oasis.opendocument.text',
};

/**
 * `letter send`: what an agency's system does, from files: sign each document with the agency's
 * key, encrypt it to the platform key fetched from the API, and submit.
 */
export async function letterCommand(sub: string | undefined, argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      api: { type: 'string', default: process.env.POSTKASSE_API ?? 'http://127.0.0.1:3000' },
      'api-key': { type: 'string', default: process.env.POSTKASSE_API_KEY },
      'signing-key': { type: 'string' },
      to: { type: 'string' },
      title: { type: 'string' },
      'requires-acknowledgement': { type: 'boolean', default: false },
      'publish-at': { type: 'string' },
      'idempotency-key': { type: 'string' },
    },
  });
  if (sub !== 'send' || positionals.length === 0) {
    throw new UsageError(
      'usage: letter send --api-key KEY --signing-key PRIVATE.asc --to NATIONAL_ID --title TITLE FILE...',
    );
  }
  const api = values.api!.replace(/\/$/, '');
  const keys = (await (await fetch(`${api}/v1/platform/keys`)).json()) as {
    openpgp: { publicKey: string };
  };
  const signingKey = readFileSync(required(values, 'signing-key'), 'utf8');
  const documents = [];
  for (const file of positionals) {
    const mediaType = MEDIA_TYPES[extname(file).toLowerCase()];
    if (!mediaType) throw new UsageError(`${file}: no media type known for this file name`);
    const content = await encryptAndSignForPlatform(readFileSync(file), {
      platformPublicKey: keys.openpgp.publicKey,
      signingPrivateKey: signingKey,
    });
    documents.push({
      filename: basename(file),
      mediaType,
      content,
    });
  }
  const response = await fetch(`${api}/v1/letters`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${required(values, 'api-key')}`,
      'content-type': 'application/json',
      'idempotency-key': values['idempotency-key'] ?? randomUUID(),
    },
    body: JSON.stringify({
      recipient: { nationalId: required(values, 'to') },
      title: required(values, 'title'),
      documents,
      requiresAcknowledgement: values['requires-acknowledgement'],
      ...(values['publish-at'] ? { publishAt: values['publish-at'] } : {}),
    }),
  });
  const body = await response.text();
  console.log(body);
  if (!response.ok) process.exitCode = 1;
}
