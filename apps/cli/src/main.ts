import 'reflect-metadata';
import { ConfigError } from '#config';
import { DomainError } from '#errors';
import { OpenPgpError } from '#crypto';
import { accessCommand, USAGE as ACCESS_USAGE } from './access.command';
import { agencyCommand, citizenCommand, USAGE as AGENCY_USAGE } from './agency.command';
import { API_RULE } from './api';
import { CliError, createContext, UsageError, type CliContext } from './context';
import { dbCommand, USAGE as DB_USAGE } from './db.command';
import { devCommand, USAGE as DEV_USAGE } from './dev.command';
import { evidenceCommand, USAGE as EVIDENCE_USAGE } from './evidence.command';
import { letterCommand, USAGE as LETTER_USAGE } from './letter.command';
import { replyCommand, USAGE as REPLY_USAGE } from './reply.command';
import { mailboxCommand, USAGE as MAILBOX_USAGE } from './mailbox.command';

const USAGE = `Postkasse command line (npm run cli -- COMMAND)

  db migrate                         apply database migrations
  db partition | unpartition         partition the tables that grow (docs/scaling.md), or undo it
  db partitions-ahead [--months N]   create the coming months' partitions (cron, when partitioned)
  agency create|list|keys|add-key|revoke-key|rotate-api-key|revoke-api-keys   [--scopes LIST]
  agency allow-withholding --agency ID --legal-basis TEXT   (may withhold access-log entries)
  agency add-encryption-key --agency ID --key FILE   (what replies are encrypted to)
  agency set-topics --agency ID --topics LIST | --none   (new messages from citizens)
  citizen reserve --national-id N [--off]
  org create --number N --name NAME [--admin NID]      an organisation's mailbox and first admin
  guardian add --guardian NID --minor NID              a guardian, until the minor turns 18
  estate grant --deceased NID --executor NID --until DATE   an executor reads, until DATE
  mailbox erase --national-id N --reason TEXT --operator NAME   (crypto-shred; cannot be undone)
  dev token --citizen N [--admin-of ORG,...] | --auditor NAME
  dev seed                           the demo agency, citizens and letters
  letter send --api-key K --signing-key FILE --to N --title T [options] FILE...
  letter send-batch --api-key K --signing-key FILE --dir DIR --title T   (a folder, as batches)
  evidence export --token T > log.ndjson   (auditor: the log and a signed tree head)
  evidence verify FILE --key JWKS [--previous HEAD.json] [--save-head HEAD.json]
  evidence verify-access-log FILE --key JWKS   (a citizen's access log against the log)
  evidence verify-receipt FILE --key JWKS   (one receipt with its proof and tree head)
  reply open --id ID --api-key K --key PRIVATE.asc --out DIR   (decrypt a citizen's reply)
  evidence verify-export FILE.tar --key JWKS   (a citizen's mailbox export, offline)

Each command has --help. Commands that talk to the API find it at:
  ${API_RULE}.`;

type Run = (sub: string | undefined, rest: string[], ctx: () => Promise<CliContext>) => unknown;

/** Commands that need no configuration or database open none. */
const COMMANDS: Record<string, { usage: string; run: Run }> = {
  db: { usage: DB_USAGE, run: async (sub, rest, ctx) => dbCommand(await ctx(), sub, rest) },
  agency: {
    usage: AGENCY_USAGE,
    run: async (sub, rest, ctx) => agencyCommand(await ctx(), sub, rest),
  },
  citizen: {
    usage: AGENCY_USAGE,
    run: async (sub, rest, ctx) => citizenCommand(await ctx(), sub, rest),
  },
  org: {
    usage: ACCESS_USAGE,
    run: async (sub, rest, ctx) => accessCommand(await ctx(), 'org', sub, rest),
  },
  guardian: {
    usage: ACCESS_USAGE,
    run: async (sub, rest, ctx) => accessCommand(await ctx(), 'guardian', sub, rest),
  },
  estate: {
    usage: ACCESS_USAGE,
    run: async (sub, rest, ctx) => accessCommand(await ctx(), 'estate', sub, rest),
  },
  mailbox: {
    usage: MAILBOX_USAGE,
    run: async (sub, rest, ctx) => mailboxCommand(await ctx(), sub, rest),
  },
  dev: { usage: DEV_USAGE, run: async (sub, rest, ctx) => devCommand(await ctx(), sub, rest) },
  letter: { usage: LETTER_USAGE, run: (sub, rest) => letterCommand(sub, rest) },
  evidence: { usage: EVIDENCE_USAGE, run: (sub, rest) => evidenceCommand(sub, rest) },
  reply: { usage: REPLY_USAGE, run: (sub, rest) => replyCommand(sub, rest) },
};

/** --help or -h anywhere before a `--` (after it, they are file names). */
function asksForHelp(args: (string | undefined)[]): boolean {
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

async function main(argv: string[]): Promise<void> {
  const [group, sub, ...rest] = argv;
  if (!group || group === 'help' || group === '--help' || group === '-h') {
    const command = group === 'help' && sub ? COMMANDS[sub] : undefined;
    console.log(command ? command.usage : USAGE);
    return;
  }
  const command = COMMANDS[group];
  if (!command) throw new UsageError(`unknown command "${group}"`);
  if (sub === 'help' || asksForHelp([sub, ...rest])) {
    console.log(command.usage);
    return;
  }
  let context: CliContext | null = null;
  try {
    await command.run(sub, rest, async () => (context ??= await createContext()));
  } finally {
    await (context as CliContext | null)?.close();
  }
}

/** Node's parseArgs errors (unknown option, missing value, …) are mistakes in the command line. */
function isParseArgsError(error: unknown): error is Error {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    error instanceof TypeError && typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')
  );
}

function helpHint([group, sub]: string[]): string {
  const words = ['npm run cli --'];
  if (COMMANDS[group]) words.push(group, ...(sub && !sub.startsWith('-') ? [sub] : []));
  return `see: ${[...words, '--help'].join(' ')}`;
}

/** Every failure is one line on stderr (no stack), exit 2 for usage and 1 for the rest. */
function report(error: unknown, argv: string[]): { line: string; exitCode: number } {
  if (isParseArgsError(error)) {
    // Node adds advice on positionals that start with "-"; the first sentence is the news.
    const first = error.message.split(/(?<=\.) /)[0].replace(/\.$/, '');
    return { line: `${first} (${helpHint(argv)})`, exitCode: 2 };
  }
  if (error instanceof UsageError) {
    // A multi-line message is a command's whole usage, printed as it is.
    const multiLine = error.message.includes('\n');
    return {
      line: multiLine ? error.message : `${error.message} (${helpHint(argv)})`,
      exitCode: 2,
    };
  }
  if (error instanceof DomainError || error instanceof OpenPgpError)
    return { line: `${error.code}: ${error.detail}`, exitCode: 1 };
  if (error instanceof ConfigError || error instanceof CliError)
    return { line: error.message.replace(/\n\s*/g, '; '), exitCode: 1 };
  const message = error instanceof Error ? error.message : String(error);
  return { line: `error: ${message.replace(/\n\s*/g, '; ')}`, exitCode: 1 };
}

const argv = process.argv.slice(2);
main(argv).catch((error: unknown) => {
  const { line, exitCode } = report(error, argv);
  console.error(line);
  process.exit(exitCode);
});
