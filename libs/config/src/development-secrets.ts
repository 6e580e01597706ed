import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { exportJWK, generateKeyPair, calculateJwkThumbprint, type JWK } from 'jose';
import { generatePlatformKey } from '#crypto';
import { generateReceiptKey } from '#evidence';

/** Secrets a development or test installation makes for itself on first run (never in git). */
export interface DevelopmentSecrets {
  masterKeys: string;
  nationalIdPepper: string;
  recipientRefKey: string;
  platformOpenPgpKey: string;
  receiptSigningKey: { privateJwk: JWK; publicJwk: JWK; kid: string };
  devOidcKey: { privateJwk: JWK; kid: string };
}

async function generate(): Promise<DevelopmentSecrets> {
  const platform = await generatePlatformKey('Postkasse development platform');
  const receipt = await generateReceiptKey();
  const oidc = await generateKeyPair('ES256', { extractable: true });
  const oidcJwk = await exportJWK(oidc.privateKey);
  const oidcKid = await calculateJwkThumbprint(oidcJwk);
  return {
    masterKeys: `1:${randomBytes(32).toString('base64')}`,
    nationalIdPepper: randomBytes(32).toString('base64'),
    recipientRefKey: randomBytes(32).toString('base64'),
    platformOpenPgpKey: platform.privateKeyArmored,
    receiptSigningKey: receipt,
    devOidcKey: { privateJwk: { ...oidcJwk, kid: oidcKid, alg: 'ES256' }, kid: oidcKid },
  };
}

/**
 * Reads the development secrets file, creating it on first use. Several processes may start at
 * once (API, worker, CLI), so the file is created exclusively and a loser of the race reads the
 * winner's file instead of overwriting it.
 */
export async function loadOrCreateDevelopmentSecrets(path: string): Promise<DevelopmentSecrets> {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as DevelopmentSecrets;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const secrets = await generate();
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  try {
    writeFileSync(path, JSON.stringify(secrets, null, 2), { flag: 'wx', mode: 0o600 });
    return secrets;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return JSON.parse(readFileSync(path, 'utf8')) as DevelopmentSecrets;
  }
}
