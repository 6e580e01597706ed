import { parseArgs } from 'node:util';
import { CliError, required, UsageError, type CliContext } from './context';

export const USAGE = `usage:
  mailbox erase --national-id N --reason TEXT --operator NAME

  erase crypto-shreds the person's mailbox: its data key and end-to-end keys are destroyed, so
  its documents can never be decrypted again (backups included), and it takes no more letters
  (agencies get 409 recipient.erased). Receipts, the receipt log and the access log stay.
  The operator audit log records NAME, the reason and the account that ran it. It cannot be
  undone; running it again changes nothing.`;

export async function mailboxCommand(
  ctx: CliContext,
  sub: string | undefined,
  argv: string[],
): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      'national-id': { type: 'string' },
      reason: { type: 'string' },
      operator: { type: 'string' },
    },
  });
  if (sub !== 'erase') throw new UsageError(USAGE);
  const result = await (
    await ctx.root()
  ).eraseMailbox.execute({
    nationalId: required(values, 'national-id'),
    reason: required(values, 'reason'),
    operator: required(values, 'operator'),
    via: ctx.actor,
  });
  if (!result.erased) {
    if (!result.erasedAt) throw new CliError(`mailbox ${result.mailboxId} could not be erased`);
    console.log(
      `Mailbox ${result.mailboxId} was erased already, at ${result.erasedAt.toISOString()}`,
    );
    return;
  }
  console.log(
    `Erased mailbox ${result.mailboxId} at ${result.erasedAt.toISOString()}: its keys are destroyed` +
      ` (and ${result.endToEndDocuments} end-to-end documents); receipts and logs are kept`,
  );
}
