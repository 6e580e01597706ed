import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { encryptAndSignForPlatform } from '../../libs/crypto/src/compose';
import type { Stack } from './stack';

export interface TestAgency {
  id: string;
  apiKey: string;
  privateKey: string;
  publicKey: string;
  keyFile: string;
}

export async function generateAgencyKey(type: 'curve25519' | 'rsa' = 'curve25519') {
  const options =
    type === 'rsa'
      ? ({ type: 'rsa', rsaBits: 3072 } as const)
      : ({ type: 'ecc', curve: 'curve25519Legacy' } as const);
  return openpgp.generateKey({
    ...options,
    userIDs: [{ name: 'Test Agency', email: 'post@agency.test' }],
    format: 'armored',
  });
}

/** An agency registered through the CLI, exactly as an operator would. */
export async function createAgency(
  stack: Pick<Stack, 'cli'>,
  name: string,
  type: 'curve25519' | 'rsa' = 'curve25519',
  scopes?: string,
): Promise<TestAgency> {
  const { privateKey, publicKey } = await generateAgencyKey(type);
  const keyFile = join(mkdtempSync(join(tmpdir(), 'postkasse-agency-')), 'signing.asc');
  writeFileSync(keyFile, publicKey);
  const out = await stack.cli([
    'agency',
    'create',
    '--name',
    name,
    '--signing-key',
    keyFile,
    ...(scopes ? ['--scopes', scopes] : []),
    '--json',
  ]);
  const { id, apiKey } = JSON.parse(out) as { id: string; apiKey: string };
  return { id, apiKey, privateKey, publicKey, keyFile };
}

export async function platformPublicKey(stack: Pick<Stack, 'baseUrl'>): Promise<string> {
  const keys = (await (await fetch(`${stack.baseUrl}/v1/platform/keys`)).json()) as {
    openpgp: { publicKey: string };
  };
  return keys.openpgp.publicKey;
}

export function sealFor(
  agency: TestAgency,
  platformKey: string,
  text: string,
  armor = true,
): Promise<string> {
  return encryptAndSignForPlatform(
    Buffer.from(text),
    { platformPublicKey: platformKey, signingPrivateKey: agency.privateKey },
    { armor },
  );
}

/** GnuPG as an agency would run it: its own key, the platform key imported, sign and encrypt. */
export class GnuPgAgency {
  readonly home = mkdtempSync(join(tmpdir(), 'postkasse-gpg-'));
  fingerprint = '';

  private gpg(args: string[], input?: string | Buffer): Buffer {
    return execFileSync(
      'gpg',
      [
        '--homedir',
        this.home,
        '--batch',
        '--yes',
        '--pinentry-mode',
        'loopback',
        '--passphrase',
        '',
        ...args,
      ],
      // Multi-megabyte documents: the default 1 MB of output would cut them off.
      { input, stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 256 * 1024 * 1024 },
    );
  }

  /** GnuPG 2.2's `default` is RSA-3072; `ed25519` gives the legacy EdDSA key 2.3+ makes by default. */
  init(platformKey: string, algo: 'rsa3072' | 'ed25519' = 'ed25519'): this {
    this.gpg(['--quick-gen-key', 'GnuPG Agency <gpg@agency.test>', algo, 'sign', 'never']);
    const listing = this.gpg(['--with-colons', '--list-secret-keys']).toString();
    this.fingerprint = /^fpr:+([0-9A-F]+):/m.exec(listing)![1];
    this.gpg(['--import'], platformKey);
    return this;
  }

  close(): void {
    try {
      execFileSync('gpgconf', ['--homedir', this.home, '--kill', 'gpg-agent'], { stdio: 'ignore' });
    } catch {
      // no agent was started
    }
    rmSync(this.home, { recursive: true, force: true });
  }

  publicKey(): string {
    return this.gpg(['--armor', '--export', this.fingerprint]).toString();
  }

  keyFile(): string {
    const file = join(this.home, 'public.asc');
    writeFileSync(file, this.publicKey());
    return file;
  }

  /** What an agency receives on (replies): a Curve25519 encryption subkey beside its signing key. */
  addEncryptionSubkey(): this {
    this.gpg(['--quick-add-key', this.fingerprint, 'cv25519', 'encr', 'never']);
    return this;
  }

  /** The agency's private keys, armored (unprotected, as this test keyring makes them). */
  secretKeyFile(): string {
    const file = join(this.home, 'secret.asc');
    writeFileSync(file, this.gpg(['--armor', '--export-secret-keys', this.fingerprint]));
    return file;
  }

  decrypt(message: Buffer): Buffer {
    return this.gpg(['--decrypt'], message);
  }

  sealTo(platformFingerprint: string, text: string, extra: string[] = []): Buffer {
    return this.gpg(
      [
        '--trust-model',
        'always',
        '--local-user',
        this.fingerprint,
        '--encrypt',
        '--sign',
        '--recipient',
        platformFingerprint,
        ...extra,
      ],
      text,
    );
  }
}
