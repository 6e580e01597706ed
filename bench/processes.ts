import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as openpgp from 'openpgp';

export const ROOT = resolve(__dirname, '../..');

/** One of Postkasse's processes (`api`, `worker`, `cli`) from the build, as in production. */
export function runApp(
  app: 'api' | 'worker' | 'cli',
  env: NodeJS.ProcessEnv,
  argv: string[] = [],
  options: { nodeFlags?: string[]; stdout?: 'pipe' | 'ignore' | number } = {},
): ChildProcess {
  return spawn(
    process.execPath,
    [...(options.nodeFlags ?? []), join(ROOT, `dist/apps/${app}/src/main.js`), ...argv],
    { cwd: ROOT, env, stdio: ['ignore', options.stdout ?? 'pipe', 'inherit'] },
  );
}

/** A process's standard output once it has exited with 0. */
export function output(child: ChildProcess): Promise<string> {
  return new Promise((res, rej) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    child.on('exit', (code) => (code === 0 ? res(out.trim()) : rej(new Error(`exit ${code}`))));
  });
}

/** Waits up to 30 s for the API at `base` to answer ready. */
export async function waitReady(base: string): Promise<void> {
  for (let i = 0; i < 150; i += 1) {
    const ready = await fetch(`${base}/health/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the API at ${base} did not become ready in 30 s`);
}

let clientCpu = 0;

/** CPU seconds of every load client run so far: the harness's, not Postkasse's. */
export const clientCpuSeconds = () => clientCpu;

/**
 * A load client (`bench/*-client.ts`) run as a process of its own: `input` goes to its standard
 * input as JSON, and its standard output is parsed as its JSON result. Each client reports its
 * own CPU (`cpuSeconds`), which is counted apart from the pipeline's.
 */
export async function runClient<T>(script: string, input: unknown): Promise<T> {
  const client = spawn(process.execPath, [join(__dirname, `${script}.js`)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  client.stdin.end(JSON.stringify(input));
  let out = '';
  client.stdout.on('data', (c: Buffer) => (out += c.toString()));
  const code = await new Promise((r) => client.once('exit', r));
  if (code !== 0) throw new Error(`${script} exited with ${code}`);
  const result = JSON.parse(out) as T & { cpuSeconds?: number };
  clientCpu += result.cpuSeconds ?? 0;
  return result;
}

/**
 * An agency registered through the CLI with a new signing key (Curve25519, or RSA-3072 as some
 * agencies have): its API key and the armored keys to sign letters with.
 */
export async function createAgency(
  env: NodeJS.ProcessEnv,
  name: string,
  type: 'ecc' | 'rsa' = 'ecc',
): Promise<{ apiKey: string; privateKey: string; publicKey: string }> {
  const keys = await openpgp.generateKey({
    ...(type === 'rsa'
      ? { type: 'rsa' as const, rsaBits: 3072 }
      : { type: 'ecc' as const, curve: 'curve25519Legacy' as const }),
    userIDs: [{ name }],
    format: 'armored',
  });
  const file = join(tmpdir(), `bench-agency-${randomBytes(4).toString('hex')}.asc`);
  writeFileSync(file, keys.publicKey);
  const created = JSON.parse(
    await output(
      runApp('cli', env, ['agency', 'create', '--name', name, '--signing-key', file, '--json']),
    ),
  ) as { apiKey: string };
  return { apiKey: created.apiKey, privateKey: keys.privateKey, publicKey: keys.publicKey };
}
