// Drives a real GnuPG in a throwaway home directory, to prove that what agencies' GnuPG
// installations produce is accepted. Tests skip themselves where gpg is not installed.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function gpgAvailable(): boolean {
  return spawnSync('gpg', ['--version'], { stdio: 'ignore' }).status === 0;
}

export interface GpgKey {
  fingerprint: string;
  publicKeyArmored: string;
}

export class GnuPG {
  readonly home = mkdtempSync(join(tmpdir(), 'postkasse-gpg-'));

  run(args: string[], input?: Uint8Array | string): Buffer {
    return execFileSync(
      'gpg',
      ['--homedir', this.home, '--batch', '--no-tty', '--quiet', ...args],
      {
        input,
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
  }

  /** algo as for --quick-gen-key: 'ed25519' (legacy EdDSA, v4) or 'rsa3072'. */
  generateSigningKey(email: string, algo: 'ed25519' | 'rsa3072'): GpgKey {
    this.run([
      '--pinentry-mode',
      'loopback',
      '--passphrase',
      '',
      '--quick-gen-key',
      `Agency <${email}>`,
      algo,
      'sign',
      'never',
    ]);
    const fingerprint = /^fpr:+([0-9A-F]{40}):/m.exec(
      this.run(['--with-colons', '--list-keys', email]).toString(),
    )?.[1];
    if (!fingerprint) throw new Error(`gpg made no key for ${email}`);
    return {
      fingerprint: fingerprint.toLowerCase(),
      publicKeyArmored: this.run(['--armor', '--export', fingerprint]).toString(),
    };
  }

  importKey(armored: string): void {
    this.run(['--import'], armored);
  }

  /** `gpg --encrypt --sign`, as an agency would run it, plus any extra options. */
  encryptAndSign(data: Uint8Array, recipient: string, signer: string, extra: string[]): Buffer {
    return this.run(
      ['--trust-model', 'always', '--encrypt', '--sign', '-r', recipient, '-u', signer, ...extra],
      data,
    );
  }

  dispose(): void {
    spawnSync('gpgconf', ['--homedir', this.home, '--kill', 'gpg-agent'], { stdio: 'ignore' });
    rmSync(this.home, { recursive: true, force: true });
  }
}
