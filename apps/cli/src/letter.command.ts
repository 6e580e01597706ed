import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { parseArgs } from 'node:util';
import { PostkasseClient, type Recipient } from '#sdk';
import { API_RULE, asCliError, locateApi, terminalClient } from './api';
import { UsageError, required, unknownSubcommand } from './context';
import { BATCH_USAGE, sendBatchCommand } from './letter-batch.command';
import { MEDIA_TYPES } from './media-types';

export const USAGE = `usage: letter send --api-key KEY --signing-key PRIVATE.asc (--to NATIONAL_ID | --organisation-number N) --title TITLE [options] FILE...

Signs each file with the agency's key, encrypts it to the platform's key (or, with --end-to-end,
to the citizen's own key) and submits the letter. Prints the API's answer (JSON).

  --api-key KEY                 the agency's API key (default: $POSTKASSE_API_KEY)
  --signing-key FILE            the agency's armored private OpenPGP key
  --to NATIONAL_ID              the recipient, a person
  --organisation-number N       the recipient, an organisation (instead of --to)
  --confidential                only those with confidential access to the mailbox see it
  --title TITLE                 the letter's title
  --requires-acknowledgement    ask the citizen to confirm the letter
  --publish-at DATETIME         deliver at this time, ISO 8601 with offset (2030-01-31T09:00:00+01:00)
  --due-date DATE               a due date shown with the letter (2030-02-28)
  --reminder-after-days N       remind an unread letter after N days (0: never; default 7)
  --sender-reference REF        the agency's own reference for the letter
  --end-to-end                  encrypt to the key the citizen registered (recipient lookup)
  --purpose TEXT                the purpose logged for that lookup (default: "End-to-end letter")
  --idempotency-key KEY         reuse to make a retry safe (default: a new one)
  --api URL                     where the API is: ${API_RULE}

${BATCH_USAGE}`;

function reminderDays(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const days = Number(value);
  if (!/^\d+$/.test(value) || days > 365)
    throw new UsageError('--reminder-after-days is a whole number of days from 0 to 365');
  return days;
}

/** Exactly one of the two names the recipient; the API checks the number itself. */
function recipientOf(nationalId?: string, organisationNumber?: string): Recipient {
  if (nationalId !== undefined && organisationNumber !== undefined)
    throw new UsageError('letter send: give --to or --organisation-number, not both');
  if (organisationNumber !== undefined) return { organisationNumber };
  if (nationalId !== undefined) return { nationalId };
  throw new UsageError('letter send: --to NATIONAL_ID or --organisation-number N is required');
}

/**
 * `letter send`: what an agency's system does, from files, with the agency SDK: sign each
 * document with the agency's key, encrypt it to the platform key fetched from the API (or end to
 * end to the citizen's key, with a detached signature over the ciphertext, DESIGN "End-to-end
 * letters"), and submit with an idempotency key that every retry reuses.
 */
export async function letterCommand(sub: string | undefined, argv: string[]): Promise<void> {
  if (sub === 'send-batch') return sendBatchCommand(argv);
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      api: { type: 'string' },
      'api-key': { type: 'string', default: process.env.POSTKASSE_API_KEY },
      'signing-key': { type: 'string' },
      to: { type: 'string' },
      'organisation-number': { type: 'string' },
      confidential: { type: 'boolean', default: false },
      title: { type: 'string' },
      'requires-acknowledgement': { type: 'boolean', default: false },
      'publish-at': { type: 'string' },
      'due-date': { type: 'string' },
      'reminder-after-days': { type: 'string' },
      'sender-reference': { type: 'string' },
      'end-to-end': { type: 'boolean', default: false },
      purpose: { type: 'string', default: 'End-to-end letter' },
      'idempotency-key': { type: 'string' },
    },
  });
  if (sub !== 'send') throw unknownSubcommand('letter', sub, ['send', 'send-batch']);
  if (positionals.length === 0) throw new UsageError('letter send: name at least one FILE');
  const apiKey = required(values, 'api-key');
  const to = recipientOf(values.to, values['organisation-number']);
  const title = required(values, 'title');
  const signingPrivateKey = readFileSync(required(values, 'signing-key'), 'utf8');
  const reminderAfterDays = reminderDays(values['reminder-after-days']);
  const files = positionals.map((file) => {
    const mediaType = MEDIA_TYPES[extname(file).toLowerCase()];
    if (!mediaType) throw new UsageError(`${file}: no media type known for this file name`);
    return { file, mediaType };
  });

  const location = locateApi(values.api);
  const client = new PostkasseClient(terminalClient(location, apiKey));
  const plain = files.map(({ file, mediaType }) => ({
    filename: basename(file),
    mediaType,
    content: readFileSync(file),
  }));
  const key = { privateKey: signingPrivateKey };
  try {
    const documents = values['end-to-end']
      ? await client.sealForRecipient(to, values.purpose!, plain, key)
      : await client.sealForPlatform(plain, key);
    const letter = await client.sendLetter(
      {
        recipient: to,
        title,
        documents,
        requiresAcknowledgement: values['requires-acknowledgement'],
        publishAt: values['publish-at'],
        dueDate: values['due-date'],
        reminderAfterDays,
        senderReference: values['sender-reference'],
        ...(values.confidential ? { confidential: true } : {}),
      },
      { idempotencyKey: values['idempotency-key'] },
    );
    console.log(JSON.stringify(letter, null, 2));
  } catch (error) {
    throw asCliError(error, location);
  }
}
