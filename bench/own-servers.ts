/**
 * `--production-settings`: a benchmark run against a PostgreSQL and a Redis of its own, started
 * in a temporary directory with production's settings (autovacuum on, the default durability;
 * Redis with AOF, fsync every second), and removed afterwards. The development servers of a
 * machine may run without autovacuum or persistence, and they are shared: changing their
 * settings for a run would change them for everyone else too (and the benchmark's role may not
 * change them at all).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

/** PostgreSQL refuses to run as root; as root, its tools run as the `postgres` user. */
const AS_ROOT = process.getuid?.() === 0;

function must(command: string, args: string[], asPostgres = false): void {
  const [cmd, ...argv] =
    asPostgres && AS_ROOT
      ? ['runuser', '-u', 'postgres', '--', command, ...args]
      : [command, ...args];
  const r = spawnSync(cmd, argv, { encoding: 'utf8' });
  if (r.status !== 0)
    throw new Error(`${command} ${args.join(' ')} failed: ${r.stderr || r.error?.message}`);
}

async function waitFor(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 100; i += 1) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not start in 10 s`);
}

export interface OwnServers {
  databaseUrl: string;
  redisUrl: string;
  stop(): Promise<void>;
}

export async function startOwnServers(): Promise<OwnServers> {
  const dir = mkdtempSync(join(tmpdir(), 'postkasse-bench-servers-'));
  const pgPort = 25_000 + Math.floor(Math.random() * 1000);
  const redisPort = pgPort + 1000;
  const pgData = join(dir, 'pg');
  let redis: ChildProcess | null = null;
  const stop = async () => {
    if (redis && redis.exitCode === null) {
      redis.kill('SIGTERM');
      await new Promise((r) => redis!.once('exit', r));
    }
    // Not `must`: after a failed start there may be no server to stop.
    spawnSync(
      AS_ROOT ? 'runuser' : join(PG_BIN, 'pg_ctl'),
      [
        ...(AS_ROOT ? ['-u', 'postgres', '--', join(PG_BIN, 'pg_ctl')] : []),
        ...['-D', pgData, '-m', 'fast', '-w', 'stop'],
      ],
      { stdio: 'ignore' },
    );
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    if (AS_ROOT) must('chown', ['postgres', dir]);
    // initdb's postgresql.conf is PostgreSQL's defaults: autovacuum on, fsync and
    // synchronous_commit on. No conf.d of the machine's server applies to it.
    must(join(PG_BIN, 'initdb'), ['-D', pgData, '-U', 'postkasse', '--auth=trust'], true);
    const options = `-p ${pgPort} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=200`;
    must(
      join(PG_BIN, 'pg_ctl'),
      ['-D', pgData, '-l', join(dir, 'pg.log'), '-w', '-o', options, 'start'],
      true,
    );
    redis = spawn(
      'redis-server',
      [
        '--port',
        String(redisPort),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--appendonly',
        'yes',
        '--appendfsync',
        'everysec',
        '--save',
        '',
      ],
      { stdio: 'ignore' },
    );
    const ping = () =>
      spawnSync('redis-cli', ['-p', String(redisPort), 'ping'], { encoding: 'utf8' }).stdout.trim();
    await waitFor(() => ping() === 'PONG', 'Redis');
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    databaseUrl: `postgresql://postkasse:postkasse@127.0.0.1:${pgPort}/postkasse`,
    redisUrl: `redis://127.0.0.1:${redisPort}`,
    stop,
  };
}

/**
 * Runs this script again, without the flag, against servers of its own, and exits with its code.
 * A new process rather than a changed environment: the benchmark's modules read the servers'
 * addresses once, when they load.
 */
export async function rerunWithOwnServers(script: string, flag: string): Promise<never> {
  const servers = await startOwnServers();
  console.log(`Own servers with production settings: ${servers.databaseUrl}, ${servers.redisUrl}`);
  const child = spawn(
    process.execPath,
    [script, ...process.argv.slice(2).filter((a) => a !== flag)],
    {
      stdio: 'inherit',
      env: { ...process.env, DATABASE_URL: servers.databaseUrl, REDIS_URL: servers.redisUrl },
    },
  );
  // Ctrl-C reaches the run too; this process waits for it to end and then stops the servers.
  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  const code = await new Promise<number>((r) => child.once('exit', (c) => r(c ?? 1)));
  await servers.stop();
  process.exit(code);
}
