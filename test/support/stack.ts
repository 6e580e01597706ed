import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createTestDatabase } from './databases';

export const ROOT = resolve(__dirname, '../..');

/** The process settings the image and scripts/start.sh give the API and worker. */
export const AS_DEPLOYED = {
  MALLOC_MMAP_THRESHOLD_: '1048576',
  NODE_OPTIONS: '--max-semi-space-size=8',
} as const;
const DIST = join(ROOT, 'dist/apps');

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolvePort(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

export interface RunningProcess {
  name: 'api' | 'worker';
  child: ChildProcess;
  output: () => string;
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
}

export function startProcess(app: 'api' | 'worker', env: NodeJS.ProcessEnv): RunningProcess {
  const child = spawn(process.execPath, [join(DIST, app, 'src/main.js')], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-200_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return {
    name: app,
    child,
    output: () => output,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/**
 * The real API and worker as separate processes, on their own database (copied from the
 * migrated template), their own queue prefix and a free port, as in production.
 */
export class Stack {
  readonly processes: RunningProcess[] = [];
  env!: NodeJS.ProcessEnv;
  baseUrl!: string;
  private dropDatabase: (() => Promise<void>) | null = null;

  async start(extraEnv: NodeJS.ProcessEnv = {}, workers = 1): Promise<this> {
    const db = await createTestDatabase();
    this.dropDatabase = db.drop;
    return this.startOn(db.url, extraEnv, workers);
  }

  /** As `start`, on a given database (e.g. a private PostgreSQL cluster the test runs). */
  async startOn(databaseUrl: string, extraEnv: NodeJS.ProcessEnv = {}, workers = 1): Promise<this> {
    const port = await freePort();
    this.baseUrl = `http://127.0.0.1:${port}`;
    this.env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: databaseUrl,
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      QUEUE_PREFIX: `pk-test-${randomBytes(4).toString('hex')}`,
      SECRETS_FILE: join(ROOT, '.secrets/test.json'),
      PRINT_SPOOL_DIR: mkdtempSync(join(tmpdir(), 'postkasse-print-')),
      LOG_LEVEL: 'warn',
      RELAY_INTERVAL_MS: '500',
      WORKER_CONCURRENCY: '4',
      OPENPGP_THREADS: '2',
      // Tests send far faster than any real client, from one address; the tests of the limits
      // set their own. The defaults are checked in libs/config.
      RATE_LIMIT_AGENCY_REQUESTS: '1000000',
      RATE_LIMIT_CITIZEN_REQUESTS: '1000000',
      RATE_LIMIT_AUDITOR_REQUESTS: '1000000',
      RATE_LIMIT_ANONYMOUS_REQUESTS: '1000000',
      ...AS_DEPLOYED,
      // Many stacks (and several workers of one) run at once: a fixed metrics port would be
      // taken by the first. The metrics test gives its worker a free port of its own.
      WORKER_METRICS_PORT: '0',
      ...extraEnv,
    };
    this.processes.push(startProcess('api', this.env));
    for (let i = 0; i < workers; i += 1) this.processes.push(startProcess('worker', this.env));
    await this.waitForHealth();
    return this;
  }

  async waitForHealth(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      try {
        const response = await fetch(`${this.baseUrl}/health/ready`);
        if (response.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(
      `API did not become healthy:\n${this.processes.map((p) => p.output()).join('\n---\n')}`,
    );
  }

  async stop(): Promise<void> {
    await Promise.all(this.processes.map((p) => p.stop()));
    await this.dropDatabase?.();
  }

  /** `dev seed` as `npm start` runs it, in `dir` (where it writes .secrets/demo.json). */
  seedIn(dir: string): Promise<void> {
    return new Promise((resolveSeed, reject) => {
      const seed = spawn(process.execPath, [join(DIST, 'cli/src/main.js'), 'dev', 'seed'], {
        cwd: dir,
        env: { ...this.env, POSTKASSE_API: this.baseUrl },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let err = '';
      seed.stderr.on('data', (c: Buffer) => (err += c.toString()));
      seed.on('exit', (code) =>
        code === 0 ? resolveSeed() : reject(new Error(`dev seed: ${err}`)),
      );
    });
  }

  /**
   * Runs the CLI against this stack's configuration and returns its standard output; `cwd` for
   * a command that writes where it runs (`dev seed` writes .secrets/).
   */
  cli(args: string[], cwd = ROOT): Promise<string> {
    return runCli(this.env, this.baseUrl, args, cwd);
  }
}

/** The CLI as an operator runs it, against the API at `apiUrl`; its standard output. */
export function runCli(
  env: NodeJS.ProcessEnv,
  apiUrl: string,
  args: string[],
  cwd = ROOT,
): Promise<string> {
  return new Promise((resolveOutput, reject) => {
    // POSTKASSE_API: this API, even while an `npm start` in the checkout records its own.
    const child = spawn(process.execPath, [join(DIST, 'cli/src/main.js'), ...args], {
      cwd,
      env: { ...env, POSTKASSE_API: apiUrl },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('exit', (code) =>
      code === 0 ? resolveOutput(out.trim()) : reject(new Error(`cli ${args.join(' ')}: ${err}`)),
    );
  });
}
