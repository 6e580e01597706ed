import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { createDataSource } from '#database';
import { freePort } from '../../support/stack';

const BIN = '/usr/lib/postgresql/15/bin';

/**
 * A PostgreSQL cluster of the suite's own, in a temporary directory on a free port, so that a
 * "server restart" never touches the machine's shared server. Runs as the postgres OS user when
 * the suite runs as root (PostgreSQL refuses root).
 */
export class PrivatePostgres {
  readonly dir = mkdtempSync(join(tmpdir(), 'postkasse-pg-'));
  port = 0;

  private run(args: string[]): void {
    const command = [join(BIN, args[0]), ...args.slice(1)]
      .map((a) => `'${a.replace(/'/g, `'\\''`)}'`)
      .join(' ');
    if (process.getuid?.() === 0)
      execFileSync('su', ['postgres', '-c', command], { stdio: 'pipe' });
    else execFileSync('sh', ['-c', command], { stdio: 'pipe' });
  }

  async init(): Promise<string> {
    chmodSync(this.dir, 0o777);
    if (process.getuid?.() === 0) execFileSync('chown', ['postgres', this.dir]);
    this.port = await freePort();
    this.run([
      'initdb',
      '-D',
      join(this.dir, 'data'),
      '-U',
      'postkasse',
      '--auth=trust',
      '-E',
      'UTF8',
    ]);
    this.start();
    const admin = new Client({ connectionString: this.url('postgres') });
    await admin.connect();
    await admin.query('CREATE DATABASE postkasse_fault');
    await admin.end();
    const db = createDataSource(this.url('postkasse_fault'), 1);
    await db.initialize();
    await db.runMigrations({ transaction: 'each' });
    await db.destroy();
    return this.url('postkasse_fault');
  }

  url(database: string): string {
    return `postgresql://postkasse@127.0.0.1:${this.port}/${database}`;
  }

  start(): void {
    this.run([
      'pg_ctl',
      '-D',
      join(this.dir, 'data'),
      '-l',
      join(this.dir, 'server.log'),
      '-w',
      '-o',
      `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
      'start',
    ]);
  }

  /** An immediate stop is a crash: no checkpoint, every connection cut. */
  crash(): void {
    this.run(['pg_ctl', '-D', join(this.dir, 'data'), '-m', 'immediate', '-w', 'stop']);
  }

  destroy(): void {
    try {
      this.run(['pg_ctl', '-D', join(this.dir, 'data'), '-m', 'immediate', '-w', 'stop']);
    } catch {
      // already stopped
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
