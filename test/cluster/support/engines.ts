import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { chownSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort, ROOT } from '../../support/stack';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const PG_BIN = '/usr/lib/postgresql/15/bin';

/**
 * PostgreSQL and PgBouncer refuse to run as root: when the suite is root they run as the
 * postgres OS user, in directories it owns.
 */
function postgresUser(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres']).toString().trim());
  return { uid: id('-u'), gid: id('-g') };
}

export function ownedDir(path: string): string {
  mkdirSync(path, { recursive: true });
  const user = postgresUser();
  if (user) chownSync(path, user.uid, user.gid);
  return path;
}

/** A child process of the suite's own: stopped only through its own process id. */
export class Engine {
  private child: ChildProcess | null = null;
  private log = '';

  constructor(
    readonly name: string,
    private readonly command: string,
    private readonly args: string[],
    private readonly options: { asPostgres?: boolean; env?: NodeJS.ProcessEnv } = {},
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  output(): string {
    return this.log;
  }

  start(): this {
    const user = this.options.asPostgres ? postgresUser() : null;
    const spawnOptions: SpawnOptions = {
      cwd: ROOT,
      env: { PATH: process.env.PATH, ...this.options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(user ?? {}),
    };
    const child = spawn(this.command, this.args, spawnOptions);
    const keep = (chunk: Buffer) => {
      this.log = (this.log + chunk.toString()).slice(-50_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.child = child;
    return this;
  }

  /** SIGKILL by default: a crash, no chance to tidy up. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    await exited;
  }
}

/** Runs a command to its end (as postgres where PostgreSQL needs it) and returns its output. */
function run(command: string, args: string[], asPostgres = false): string {
  const user = asPostgres ? postgresUser() : null;
  return execFileSync(command, args, { stdio: 'pipe', ...(user ?? {}) }).toString();
}

async function until<T>(what: string, probe: () => Promise<T | null>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe().catch(() => null);
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

async function query<T>(url: string, text: string): Promise<T[]> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return (await client.query(text)).rows as T[];
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A PostgreSQL server in a directory of the suite's own, primary or streaming replica. */
export class PostgresServer {
  engine!: Engine;

  private constructor(
    readonly role: 'primary' | 'replica',
    readonly dir: string,
    readonly port: number,
  ) {}

  private static async make(role: PostgresServer['role'], base: string) {
    return new PostgresServer(role, ownedDir(join(base, `pg-${role}`)), await freePort());
  }

  static async primary(base: string): Promise<PostgresServer> {
    const server = await PostgresServer.make('primary', base);
    run(
      join(PG_BIN, 'initdb'),
      ['-D', join(server.dir, 'data'), '-U', 'postkasse', '--auth=trust', '-E', 'UTF8'],
      true,
    );
    await server.start();
    return server;
  }

  /** `pg_basebackup -R`: a copy of the primary that streams its WAL from then on. */
  static async replicaOf(primary: PostgresServer, base: string): Promise<PostgresServer> {
    const server = await PostgresServer.make('replica', base);
    run(
      join(PG_BIN, 'pg_basebackup'),
      [
        ...['-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postkasse'],
        ...['-D', join(server.dir, 'data'), '-R', '-X', 'stream', '-c', 'fast'],
      ],
      true,
    );
    await server.start();
    return server;
  }

  url(database: string): string {
    return `postgresql://postkasse@127.0.0.1:${this.port}/${database}`;
  }

  private async start(): Promise<void> {
    this.engine = new Engine(
      `postgres-${this.role}`,
      join(PG_BIN, 'postgres'),
      [
        ...['-D', join(this.dir, 'data'), '-p', String(this.port), '-k', this.dir],
        ...['-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'max_connections=200'],
        ...['-c', 'wal_level=replica', '-c', 'max_wal_senders=5', '-c', 'hot_standby=on'],
      ],
      { asPostgres: true },
    ).start();
    await until(`PostgreSQL ${this.role} on ${this.port}`, async () =>
      (await query(this.url('postgres'), 'SELECT 1 AS up')).length ? true : null,
    );
  }

  /** How far the replica's replay is behind what it received, in seconds of commits. */
  async replayLagSeconds(): Promise<number> {
    const [row] = await query<{ lag: number | null }>(
      this.url('postgres'),
      `SELECT CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
              ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp()) END::float8 AS lag`,
    );
    return row?.lag ?? 0;
  }

  async pauseReplay(): Promise<void> {
    await query(this.url('postgres'), 'SELECT pg_wal_replay_pause()');
  }

  async resumeReplay(): Promise<void> {
    await query(this.url('postgres'), 'SELECT pg_wal_replay_resume()');
  }

  async isInRecovery(): Promise<boolean> {
    const [row] = await query<{ r: boolean }>(
      this.url('postgres'),
      'SELECT pg_is_in_recovery() AS r',
    );
    return row.r;
  }
}

/** PgBouncer in transaction mode in front of the primary, from ops/cluster/pgbouncer.ini. */
export class PgBouncer {
  engine!: Engine;
  port = 0;

  static async start(primary: PostgresServer, base: string): Promise<PgBouncer> {
    const bouncer = new PgBouncer();
    const dir = ownedDir(join(base, 'pgbouncer'));
    bouncer.port = await freePort();
    const ini = readFileSync(join(ROOT, 'ops/cluster/pgbouncer.ini'), 'utf8')
      .replace(/\$\{PRIMARY_PORT\}/g, String(primary.port))
      .replace(/\$\{LISTEN_PORT\}/g, String(bouncer.port))
      .replace(/\$\{DIR\}/g, dir);
    writeFileSync(join(dir, 'pgbouncer.ini'), ini);
    writeFileSync(join(dir, 'userlist.txt'), '"postkasse" ""\n');
    for (const file of ['pgbouncer.ini', 'userlist.txt']) chownTo(join(dir, file));
    bouncer.engine = new Engine('pgbouncer', '/usr/sbin/pgbouncer', [join(dir, 'pgbouncer.ini')], {
      asPostgres: true,
    }).start();
    await until('PgBouncer', async () =>
      (await query(bouncer.url('postgres'), 'SELECT 1 AS up')).length ? true : null,
    );
    return bouncer;
  }

  url(database: string): string {
    return `postgresql://postkasse@127.0.0.1:${this.port}/${database}`;
  }

  /** PgBouncer's own view: the pools and their mode (SHOW POOLS on its admin console). */
  async poolModes(): Promise<string[]> {
    const rows = await query<{ pool_mode: string; database: string }>(
      this.url('pgbouncer'),
      'SHOW POOLS',
    );
    return rows.filter((r) => r.database !== 'pgbouncer').map((r) => r.pool_mode);
  }
}

function chownTo(path: string): void {
  const user = postgresUser();
  if (user) chownSync(path, user.uid, user.gid);
}

interface RedisNode {
  port: number;
  busPort: number;
  engine: Engine;
}

/** Redis Cluster: three masters, three replicas, on free ports, with AOF as production runs it. */
export class RedisCluster {
  readonly nodes: RedisNode[] = [];

  static async start(base: string, size = 6): Promise<RedisCluster> {
    const cluster = new RedisCluster();
    for (let i = 0; i < size; i += 1) {
      const port = await freePort();
      const busPort = await freePort();
      const dir = join(base, `redis-${port}`);
      mkdirSync(dir, { recursive: true });
      const engine = new Engine('redis', '/usr/bin/redis-server', [
        ...['--port', String(port), '--cluster-port', String(busPort), '--bind', '127.0.0.1'],
        ...['--cluster-enabled', 'yes', '--cluster-config-file', join(dir, 'nodes.conf')],
        // A master that stops answering for 2 s is failed over (production: 5 to 15 s).
        ...['--cluster-node-timeout', '2000', '--dir', dir, '--save', ''],
        ...['--appendonly', 'yes', '--appendfsync', 'everysec'],
        ...['--maxmemory-policy', 'noeviction'],
      ]).start();
      cluster.nodes.push({ port, busPort, engine });
    }
    for (const node of cluster.nodes)
      await until(`redis on ${node.port}`, async () =>
        cluster.cli(node.port, 'PING').includes('PONG') ? true : null,
      );
    cluster.cliArgs([
      '--cluster',
      'create',
      ...cluster.nodes.map((n) => `127.0.0.1:${n.port}`),
      '--cluster-replicas',
      '1',
      '--cluster-yes',
    ]);
    await until('the cluster to agree', async () =>
      cluster.nodes.every((n) => /cluster_state:ok/.test(cluster.cli(n.port, 'CLUSTER', 'INFO')))
        ? true
        : null,
    );
    return cluster;
  }

  /** `host:port,…` for REDIS_CLUSTER_NODES. */
  get seeds(): string {
    return this.nodes.map((n) => `127.0.0.1:${n.port}`).join(',');
  }

  cli(port: number, ...args: string[]): string {
    try {
      return this.cliArgs(['-p', String(port), ...args]);
    } catch {
      return '';
    }
  }

  private cliArgs(args: string[]): string {
    return execFileSync('redis-cli', args, { stdio: 'pipe', timeout: 10_000 }).toString();
  }

  /** The master that serves a hash tag's slot, and its replica, by their ports. */
  ownerOf(key: string): { master: RedisNode; replica: RedisNode } {
    const live = this.nodes.find((n) => n.engine.running)!;
    const slot = Number(this.cli(live.port, 'CLUSTER', 'KEYSLOT', key).trim());
    const lines = this.cli(live.port, 'CLUSTER', 'NODES').trim().split('\n');
    const entries = lines.map((line) => {
      const [id, address, flags, masterId, , , , , ...slots] = line.split(' ');
      return { id, port: Number(address.split(':')[1].split('@')[0]), flags, masterId, slots };
    });
    const inRange = (range: string) => {
      const [from, to = from] = range.split('-').map(Number);
      return slot >= from && slot <= to;
    };
    const master = entries.find((e) => e.flags.includes('master') && e.slots.some(inRange));
    const replica = entries.find((e) => e.masterId === master?.id);
    if (!master || !replica) throw new Error(`no master and replica for slot ${slot}`);
    const node = (port: number) => this.nodes.find((n) => n.port === port)!;
    return { master: node(master.port), replica: node(replica.port) };
  }

  isMaster(node: RedisNode): boolean {
    return /^master/m.test(this.cli(node.port, 'ROLE'));
  }

  stateOk(node: RedisNode): boolean {
    return /cluster_state:ok/.test(this.cli(node.port, 'CLUSTER', 'INFO'));
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.engine.kill()));
  }
}

/** HAProxy in the foreground with ops/cluster/haproxy.cfg, in front of two API processes. */
export class HaProxy {
  engine!: Engine;
  port = 0;

  static async start(apiPorts: [number, number]): Promise<HaProxy> {
    const proxy = new HaProxy();
    proxy.port = await freePort();
    proxy.engine = new Engine(
      'haproxy',
      '/usr/sbin/haproxy',
      ['-db', '-f', 'ops/cluster/haproxy.cfg'],
      {
        env: {
          PK_LISTEN: `127.0.0.1:${proxy.port}`,
          PK_API_1: `127.0.0.1:${apiPorts[0]}`,
          PK_API_2: `127.0.0.1:${apiPorts[1]}`,
          PK_ERRORS: join(ROOT, 'ops/cluster/errors'),
        },
      },
    ).start();
    await until('HAProxy', async () => {
      const r = await fetch(`${proxy.url}/health/live`).catch(() => null);
      return r ? true : null;
    });
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }
}
