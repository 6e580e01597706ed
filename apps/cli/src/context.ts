import { userInfo } from 'node:os';
import type { DataSource } from 'typeorm';
import { loadConfig, type AppConfig } from '#config';
import { createDataSource } from '#database';
import { Postkasse } from '#composition';
import type { AgenciesStore } from '#stores';

export interface CliContext {
  config: AppConfig;
  db: () => Promise<DataSource>;
  /** The composition root, on the CLI's own small connection pool and without a queue. */
  root: () => Promise<Postkasse>;
  actor: string;
  print: (value: unknown, json: boolean) => void;
  close: () => Promise<void>;
}

export async function createContext(): Promise<CliContext> {
  const config = await loadConfig();
  let db: DataSource | null = null;
  let root: Postkasse | null = null;
  const open = async () => {
    db ??= await createDataSource(config.databaseUrl, 2).initialize();
    return db;
  };
  return {
    config,
    actor: `cli:${userInfo().username}`,
    db: open,
    root: async () => (root ??= new Postkasse(config, { db: await open() })),
    print: (value, json) => {
      if (json || typeof value !== 'string')
        console.log(json ? JSON.stringify(value) : JSON.stringify(value, null, 2));
      else console.log(value);
    },
    close: async () => {
      if (db?.isInitialized) await db.destroy();
    },
  };
}

/** The command line was wrong: one line on stderr, exit 2. */
export class UsageError extends Error {}

/** The command could not do its work (an unreachable API, a refused letter): one line, exit 1. */
export class CliError extends Error {}

/** The operator's store: agencies, their keys, and the audit log of what operators changed. */
export async function agenciesOf(ctx: CliContext): Promise<AgenciesStore> {
  return (await ctx.root()).agencies;
}

export function unknownSubcommand(group: string, sub: string | undefined, known: string[]) {
  const what = sub ? `unknown subcommand "${sub}"` : 'a subcommand is missing';
  return new UsageError(`${group}: ${what}; one of ${known.join(', ')}`);
}

export function required(values: Record<string, unknown>, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value.length === 0)
    throw new UsageError(`--${name} is required`);
  return value;
}
