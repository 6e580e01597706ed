import 'reflect-metadata';
import { ConfigError } from '#config';
import { DomainError } from '#errors';
import { OpenPgpError } from '#crypto';
import { agencyCommand, citizenCommand } from './agency.command';
import { createContext, UsageError } from './context';
import { dbCommand } from './db.command';
import { devCommand } from './dev.command';
import { evidenceCommand } from './evidence.command';
import { letterCommand } from './letter.command';

const USAGE = `Postkasse command line (npm run cli -- COMMAND)

  db migrate                         apply database migrations
  db partition | unpartition         partition the tables that grow (docs/scaling.md), or undo it
  db partitions-ahead [--months N]   create the coming months' partitions (cron, when partitioned)
  agency create|list|keys|add-key|revoke-key|rotate-api-key|revoke-api-keys   [--scopes LIST]
  citizen reserve --national-id N [--off]
  dev token --citizen N | --auditor NAME
  letter send --api-key K --signing-key FILE --to N --title T FILE...
  evidence export --token T > log.ndjson   (auditor: the log and a signed tree head)
  evidence verify FILE --key JWKS [--previous HEAD.json] [--save-head HEAD.json]

Run a command without options for its own usage.`;

async function main(argv: string[]): Promise<void> {
  const [group, sub, ...rest] = argv;
  if (group === 'letter') return letterCommand(sub, rest);
  if (group === 'evidence') return evidenceCommand(sub, rest);
  if (!group || group === 'help' || group === '--help') {
    console.log(USAGE);
    return;
  }
  const ctx = await createContext();
  try {
    switch (group) {
      case 'db':
        return await dbCommand(ctx, sub, rest);
      case 'agency':
        return await agencyCommand(ctx, sub, rest);
      case 'citizen':
        return await citizenCommand(ctx, sub, rest);
      case 'dev':
        return await devCommand(ctx, sub, rest);
      default:
        throw new UsageError(USAGE);
    }
  } finally {
    await ctx.close();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError || error instanceof ConfigError) console.error(error.message);
  else if (error instanceof DomainError || error instanceof OpenPgpError)
    console.error(`${error.code}: ${error.detail}`);
  else console.error(error);
  process.exit(error instanceof UsageError ? 2 : 1);
});
