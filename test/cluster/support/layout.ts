import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { loadConfig } from '#config';
import { createDataSource } from '#database';
import {
  AS_DEPLOYED,
  freePort,
  ROOT,
  runCli,
  startProcess,
  type RunningProcess,
} from '../../support/stack';
import { HaProxy, PgBouncer, PostgresServer, RedisCluster, sleep } from './engines';

/** The queue prefix's hash tag keeps every key of every queue in one slot of the cluster. */
export const QUEUE_PREFIX = '{postkasse}';

/**
 * The layout of docs/scaling.md on loopback, every engine a child process of the suite in one
 * temporary directory, on free ports (never 5432 or 6379): PostgreSQL primary and streaming
 * replica, PgBouncer (transaction mode) in front of the primary, Redis Cluster (three masters,
 * three replicas), two API processes behind HAProxy, two workers.
 */
export class ClusterLayout {
  readonly dir = mkdtempSync(join(tmpdir(), 'postkasse-cluster-'));
  primary!: PostgresServer;
  replica!: PostgresServer;
  bouncer!: PgBouncer;
  redis!: RedisCluster;
  proxy!: HaProxy;
  readonly apis: RunningProcess[] = [];
  readonly workers: RunningProcess[] = [];
  env: NodeJS.ProcessEnv = {};
  /** Seconds each part took to come up. */
  readonly bootSeconds: Record<string, number> = {};
  private db: Client | null = null;

  async start(extraEnv: NodeJS.ProcessEnv = {}): Promise<this> {
    // PostgreSQL's own user (when the suite is root) must reach its directories inside.
    chmodSync(this.dir, 0o755);
    const timed = async <T>(what: string, step: () => Promise<T>): Promise<T> => {
      const started = Date.now();
      const result = await step();
      this.bootSeconds[what] = (Date.now() - started) / 1000;
      return result;
    };
    this.primary = await timed('postgresPrimary', () => PostgresServer.primary(this.dir));
    await timed('migrations', () => this.migrate());
    this.replica = await timed('postgresReplica', () =>
      PostgresServer.replicaOf(this.primary, this.dir),
    );
    this.bouncer = await timed('pgbouncer', () => PgBouncer.start(this.primary, this.dir));
    this.redis = await timed('redisCluster', () => RedisCluster.start(this.dir));
    const apiPorts: [number, number] = [await freePort(), await freePort()];
    this.proxy = await timed('haproxy', () => HaProxy.start(apiPorts));

    const secretsFile = join(ROOT, '.secrets/test.json');
    // Made once before the processes start, so that they all read the same secrets.
    await loadConfig({ NODE_ENV: 'test', SECRETS_FILE: secretsFile });
    mkdirSync(join(this.dir, 'print'));
    this.env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      DATABASE_URL: this.bouncer.url('postkasse'),
      DATABASE_REPLICA_URL: this.replica.url('postkasse'),
      REDIS_CLUSTER_NODES: this.redis.seeds,
      QUEUE_PREFIX,
      // Both APIs accept the development issuer's tokens as issued behind the load balancer.
      OIDC_ISSUER: `${this.proxy.url}/dev-oidc`,
      SECRETS_FILE: secretsFile,
      PRINT_SPOOL_DIR: join(this.dir, 'print'),
      SMTP_URL: `smtp://127.0.0.1:${await freePort()}`,
      LOG_LEVEL: process.env.CLUSTER_LOG_LEVEL ?? 'warn',
      RELAY_INTERVAL_MS: '500',
      RECONCILE_INTERVAL_MS: '2000',
      RECONCILE_STALE_MS: '5000',
      WORKER_CONCURRENCY: '8',
      OPENPGP_THREADS: '1',
      // The worker's drain limit follows from it (its jobs' longest run): 20 s here.
      DOCUMENT_TIMEOUT_MS: '10000',
      WORKER_METRICS_PORT: '0',
      RATE_LIMIT_AGENCY_REQUESTS: '1000000',
      RATE_LIMIT_CITIZEN_REQUESTS: '1000000',
      RATE_LIMIT_AUDITOR_REQUESTS: '1000000',
      RATE_LIMIT_ANONYMOUS_REQUESTS: '1000000',
      ...AS_DEPLOYED,
      ...extraEnv,
    };
    await timed('processes', async () => {
      for (const port of apiPorts)
        this.apis.push(startProcess('api', { ...this.env, PORT: String(port) }));
      for (let i = 0; i < 2; i += 1) this.workers.push(startProcess('worker', this.env));
      for (const port of apiPorts) await this.waitForApi(`http://127.0.0.1:${port}`);
      await this.waitForApi(this.proxy.url);
    });
    return this;
  }

  get baseUrl(): string {
    return this.proxy.url;
  }

  private async migrate(): Promise<void> {
    const admin = new Client({ connectionString: this.primary.url('postgres') });
    await admin.connect();
    await admin.query('CREATE DATABASE postkasse');
    await admin.end();
    const db = createDataSource(this.primary.url('postkasse'), 1);
    await db.initialize();
    await db.runMigrations({ transaction: 'each' });
    await db.destroy();
  }

  private async waitForApi(url: string, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const r = await fetch(`${url}/health/ready`).catch(() => null);
      if (r?.ok) return;
      await sleep(200);
    }
    throw new Error(`${url} did not become ready:\n${this.outputs()}`);
  }

  outputs(): string {
    return [...this.apis, ...this.workers]
      .map((p) => `--- ${p.name} ---\n${p.output().slice(-4_000)}`)
      .join('\n');
  }

  /** The primary, directly (not through PgBouncer): what the database really holds. */
  async query<T extends Record<string, unknown>>(text: string, params: unknown[] = []) {
    if (!this.db) {
      this.db = new Client({ connectionString: this.primary.url('postkasse') });
      this.db.on('error', () => undefined);
      await this.db.connect();
    }
    return (await this.db.query<T>(text, params)).rows;
  }

  /** The CLI as an operator runs it against this layout. */
  cli(args: string[]): Promise<string> {
    return runCli(this.env, this.baseUrl, args);
  }

  /**
   * Stops a process as a deployment would (SIGTERM, it drains), and kills it if it has not
   * exited after `graceMs`. Returns the seconds the drain took, or null when it was killed.
   */
  async drain(process: RunningProcess, graceMs = 30_000): Promise<number | null> {
    const started = Date.now();
    const stopped = process.stop('SIGTERM');
    const drained = await Promise.race([
      stopped.then(() => true),
      sleep(graceMs).then(() => false),
    ]);
    if (!drained) await process.stop('SIGKILL');
    return drained ? (Date.now() - started) / 1000 : null;
  }

  /** Everything the suite started, by its own process ids, then the directory. */
  async stop(): Promise<void> {
    await this.db?.end().catch(() => undefined);
    await Promise.all([...this.apis, ...this.workers].map((p) => this.drain(p)));
    await this.proxy?.engine.kill();
    await this.redis?.stop();
    await this.bouncer?.engine.kill();
    await this.replica?.engine.kill('SIGINT');
    await this.primary?.engine.kill('SIGINT');
    rmSync(this.dir, { recursive: true, force: true });
  }
}
