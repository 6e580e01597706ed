import { createHash, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { v7 as uuidv7 } from 'uuid';
import type { DataSource } from 'typeorm';
import { loadConfig, type AppConfig } from '#config';
import {
  encryptAndSignForPlatform,
  openAndSeal,
  readPlatformKey,
  readSigningKey,
  type AgencySigningKey,
  type SealOptions,
} from '#crypto';
import { Postkasse } from '#composition';
import { createDataSource } from '#database';
import type { DocumentOpener, LetterSubmission } from '#letters';
import { JobProducer, producerConnection } from '#queue';
import { createTestDatabase } from './databases';
import { ROOT } from './stack';

/** Configuration as the processes get it in tests, pointed at a database of the test's own. */
export async function testConfig(
  databaseUrl: string,
  extra: NodeJS.ProcessEnv = {},
): Promise<AppConfig> {
  return loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    SECRETS_FILE: join(ROOT, '.secrets/test.json'),
    LOG_LEVEL: 'warn',
    ...extra,
  });
}

export async function testDatabase(): Promise<{
  db: DataSource;
  url: string;
  close: () => Promise<void>;
}> {
  const created = await createTestDatabase();
  const db = await createDataSource(created.url, 5).initialize();
  return {
    db,
    url: created.url,
    close: async () => {
      await db.destroy();
      await created.drop();
    },
  };
}

export async function insertAgency(
  db: DataSource,
  publicKeyArmored: string,
  name = 'Test agency',
): Promise<string> {
  const id = uuidv7();
  const key = await readSigningKey(publicKeyArmored);
  await db.query('INSERT INTO agencies (id, name) VALUES ($1, $2)', [id, name]);
  await db.query(
    'INSERT INTO agency_signing_keys (id, agency_id, fingerprint, public_key) VALUES ($1, $2, $3, $4)',
    [uuidv7(), id, key.fingerprint, key.armored],
  );
  return id;
}

/** Decrypts in the calling thread: for tests of the use case, not of the thread pool. */
export async function inlineOpener(config: AppConfig): Promise<DocumentOpener> {
  const platform = await readPlatformKey(config.platformOpenPgpKey);
  return {
    openAndSeal: (bytes: Uint8Array, agencyKeys: AgencySigningKey[], at: Date, seal: SealOptions) =>
      openAndSeal(bytes, {
        platformKey: platform.key,
        agencyKeys,
        at,
        limits: config.openpgpLimits,
        seal,
      }),
  };
}

/** An agency with a fresh signing key: its id, and the armored private key it signs with. */
export async function signingAgency(
  db: DataSource,
  name = 'Test agency',
): Promise<{ agencyId: string; signingKey: string }> {
  const key = await openpgp.generateKey({
    type: 'ecc',
    curve: 'curve25519Legacy',
    userIDs: [{ name }],
    format: 'armored',
  });
  return { agencyId: await insertAgency(db, key.publicKey, name), signingKey: key.privateKey };
}

/** A one-document submission, encrypted to the platform and signed by the agency. */
export async function textSubmission(
  text: string,
  nationalId: string,
  keys: { platformPublicKey: string; signingPrivateKey: string },
  title = 'Integration',
): Promise<LetterSubmission> {
  return {
    recipient: { nationalId },
    title,
    documents: [
      {
        filename: 'a.txt',
        mediaType: 'text/plain',
        content: await encryptAndSignForPlatform(Buffer.from(text), keys),
      },
    ],
  };
}

/** What the API hands SubmitLetter for this body. */
export function submitCommand(agencyId: string, submission: LetterSubmission, key = randomUUID()) {
  return {
    agencyId,
    idempotencyKey: key,
    // As the API computes it: the SHA-256 of the raw body, here the JSON as a client sends it.
    requestSha256: createHash('sha256').update(JSON.stringify(submission)).digest(),
    submission,
  };
}

/** What an agency does for an end-to-end letter: encrypt to the citizen, sign the ciphertext. */
export async function endToEndDocument(
  text: string,
  encryptTo: string,
  signer: string,
): Promise<{ filename: string; mediaType: 'text/plain'; content: string; signature: string }> {
  const signingKey = await openpgp.readPrivateKey({ armoredKey: signer });
  const ciphertext = (await openpgp.encrypt({
    message: await openpgp.createMessage({ text }),
    encryptionKeys: await openpgp.readKey({ armoredKey: encryptTo }),
    signingKeys: signingKey,
    format: 'binary',
  })) as Uint8Array;
  const signature = (await openpgp.sign({
    message: await openpgp.createMessage({ binary: ciphertext }),
    signingKeys: signingKey,
    detached: true,
    format: 'binary',
  })) as Uint8Array;
  return {
    filename: 'brev.txt',
    mediaType: 'text/plain',
    content: Buffer.from(ciphertext).toString('base64'),
    signature: Buffer.from(signature).toString('base64'),
  };
}

/**
 * An agency that submits through the real use case, the composition root it runs on, and a
 * migrated database of the test's own: for tests that send letters and then look at them.
 */
export async function sendingAgency(queuePrefix = 'pk-store'): Promise<{
  db: DataSource;
  config: AppConfig;
  agencyId: string;
  signingKey: string;
  /** What sealing a document for the platform needs. */
  keys: { platformPublicKey: string; signingPrivateKey: string };
  root: Postkasse;
  submit: Awaited<ReturnType<Postkasse['submitLetter']>>;
  close: () => Promise<void>;
}> {
  const { db, url, close } = await testDatabase();
  const config = await testConfig(url);
  const { agencyId, signingKey } = await signingAgency(db);
  const platform = await readPlatformKey(config.platformOpenPgpKey);
  const producer = new JobProducer(
    producerConnection(config.redisUrl),
    `${queuePrefix}-${randomUUID().slice(0, 8)}`,
  );
  const root = new Postkasse(config, { db, producer });
  return {
    db,
    config,
    agencyId,
    signingKey,
    keys: { platformPublicKey: platform.key.toPublic().armor(), signingPrivateKey: signingKey },
    root,
    submit: await root.submitLetter(),
    close: async () => {
      await producer.queue('deliver').obliterate({ force: true });
      await producer.close();
      await close();
    },
  };
}

/**
 * What store tests start from: a migrated database of their own, an agency with a signing
 * key, and a way to submit a plain text letter to one citizen through the real use case.
 */
export async function submittingDatabase(nationalId: string): Promise<{
  db: DataSource;
  submitOne: () => Promise<string>;
  close: () => Promise<void>;
}> {
  const { db, agencyId, keys, submit, close } = await sendingAgency();
  return {
    db,
    submitOne: async () =>
      (await submit.execute(submitCommand(agencyId, await textSubmission('x', nationalId, keys))))
        .body.id,
    close,
  };
}
