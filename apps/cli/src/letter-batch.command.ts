import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';
import { PostkasseClient, type BatchItem, type BatchLetter, type MediaType } from '#sdk';
import { API_RULE, asCliError, locateApi, terminalClient } from './api';
import { CliError, UsageError, required } from './context';
import { MEDIA_TYPES } from './media-types';

export const BATCH_USAGE = `usage: letter send-batch --api-key KEY --signing-key PRIVATE.asc --dir DIR --title TITLE [options]

Sends a folder of letters, up to 500 in each request (POST /v1/letter-batches). Each file in
DIR is one letter of one document, to the citizen its name says: DIR/NATIONAL_ID.pdf (with
--organisations, to the organisation: DIR/ORGANISATION_NUMBER.pdf). Hidden
files and folders are skipped. Each file is signed with the agency's key and encrypted to the
platform's. Prints every letter's answer (JSON, in file-name order); exits 1 if any was refused.

  --api-key KEY                 the agency's API key (default: $POSTKASSE_API_KEY)
  --signing-key FILE            the agency's armored private OpenPGP key
  --dir DIR                     the folder of letters
  --title TITLE                 every letter's title
  --requires-acknowledgement    ask each citizen to confirm the letter
  --organisations               the files are named by organisation number, not national id
  --confidential                only those with confidential access to each mailbox see it
  --key-prefix PREFIX           the letters' keys are PREFIX/FILE, the batches' PREFIX/batch-N
                                (default: a new one; a letter's key again with a newly encrypted
                                document is that letter's 422, so re-send only refused ones)
  --batch-size N                letters per request, 1 to 500 (default 500)
  --api URL                     where the API is: ${API_RULE}`;

/** The API's request limit is 60 MB; a batch stops well before it. */
const MAX_BATCH_BYTES = 48 * 1024 * 1024;

function batchSize(value: string | undefined): number {
  if (value === undefined) return 500;
  const size = Number(value);
  if (!/^\d+$/.test(value) || size < 1 || size > 500)
    throw new UsageError('--batch-size is a whole number from 1 to 500');
  return size;
}

/** The letters of DIR in file-name order: its plain files whose extension names a media type. */
function lettersIn(dir: string): { file: string; to: string; mediaType: MediaType }[] {
  const names = readdirSync(dir)
    .filter((name) => !name.startsWith('.') && statSync(join(dir, name)).isFile())
    .sort();
  if (names.length === 0) throw new UsageError(`${dir}: no letters in the folder`);
  return names.map((name) => {
    const ext = extname(name);
    const mediaType = MEDIA_TYPES[ext.toLowerCase()];
    if (!mediaType) throw new UsageError(`${join(dir, name)}: no media type known for this name`);
    return { file: name, to: name.slice(0, name.length - ext.length), mediaType };
  });
}

/** `letter send-batch`: a campaign from a folder, sealed here and sent as batches. */
export async function sendBatchCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      api: { type: 'string' },
      'api-key': { type: 'string', default: process.env.POSTKASSE_API_KEY },
      'signing-key': { type: 'string' },
      dir: { type: 'string' },
      title: { type: 'string' },
      'requires-acknowledgement': { type: 'boolean', default: false },
      organisations: { type: 'boolean', default: false },
      confidential: { type: 'boolean', default: false },
      'key-prefix': { type: 'string' },
      'batch-size': { type: 'string' },
    },
  });
  const apiKey = required(values, 'api-key');
  const dir = required(values, 'dir');
  const title = required(values, 'title');
  const signingPrivateKey = readFileSync(required(values, 'signing-key'), 'utf8');
  const batchLimit = batchSize(values['batch-size']);
  const prefix = values['key-prefix'] ?? randomUUID();
  const letters = lettersIn(dir);

  const location = locateApi(values.api);
  const client = new PostkasseClient(terminalClient(location, apiKey));
  const key = { privateKey: signingPrivateKey };
  const answers: BatchItem[] = [];
  let batch: BatchLetter[] = [];
  let bytes = 0;
  // The SDK sends the batch's key on each of its retries (429, 503, a lost answer), so a retried
  // batch is replayed rather than stored twice.
  const send = async () => {
    if (batch.length === 0) return;
    const answer = await client.sendBatch(batch, {
      idempotencyKey: `${prefix}/batch-${answers.length}`,
    });
    answers.push(...answer.items);
    batch = [];
    bytes = 0;
  };
  try {
    const platform = await client.platformKeys();
    for (const { file, to, mediaType } of letters) {
      const content = readFileSync(join(dir, file));
      const letter: BatchLetter = {
        idempotencyKey: `${prefix}/${file}`,
        recipient: values.organisations ? { organisationNumber: to } : { nationalId: to },
        title,
        documents: await client.sealForPlatform(
          [{ filename: file, mediaType, content }],
          key,
          platform,
        ),
        requiresAcknowledgement: values['requires-acknowledgement'],
        ...(values.confidential ? { confidential: true } : {}),
      };
      const size = Buffer.byteLength(JSON.stringify(letter));
      if (batch.length >= batchLimit || bytes + size > MAX_BATCH_BYTES) await send();
      batch.push(letter);
      bytes += size + 1;
    }
    await send();
  } catch (error) {
    throw asCliError(error, location);
  }
  console.log(JSON.stringify({ items: answers }, null, 2));
  const refused = answers.filter((a) => a.status !== 202).length;
  if (refused > 0) throw new CliError(`${refused} of ${answers.length} letters were refused`);
}
