import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { v7 as uuidv7 } from 'uuid';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '#config';
import { Postkasse } from '#composition';
import { readPlatformKey, readSigningKey } from '#crypto';
import { makeSyntheticNorwegianId } from '#identity';
import type { DeliverLetter, SubmitLetter } from '#letters';
import { JobProducer, producerConnection } from '#queue';
import {
  inlineOpener,
  submitCommand,
  testConfig,
  testDatabase,
  textSubmission,
} from '../../../test/support/fixtures';
import { agencyCommand } from '../src/agency.command';
import { UsageError, type CliContext } from '../src/context';

jest.setTimeout(30_000);

const nationalId = makeSyntheticNorwegianId(new Date('1979-04-04'), 414, 'tenor');
let db: DataSource;
let close: () => Promise<void>;
let config: AppConfig;
let ctx: CliContext;
let producer: JobProducer;
let submit: SubmitLetter;
let deliver: DeliverLetter;
let platformPublic: string;
let keys: { privateKey: string; publicKey: string; file: string; fingerprint: string };
const printed: unknown[] = [];

interface Interval {
  added_at: Date;
  revoked_at: Date | null;
}

async function intervals(agencyId: string): Promise<Interval[]> {
  return (await db.query(
    'SELECT added_at, revoked_at FROM agency_signing_keys WHERE agency_id = $1 ORDER BY added_at',
    [agencyId],
  )) as Interval[];
}

async function cli(...argv: string[]): Promise<void> {
  const [group, sub, ...rest] = argv;
  if (group !== 'agency') throw new Error(`not an agency command: ${group}`);
  await agencyCommand(ctx, sub, rest);
}

async function send(agencyId: string, text: string): Promise<string> {
  const submission = await textSubmission(text, nationalId, {
    platformPublicKey: platformPublic,
    signingPrivateKey: keys.privateKey,
  });
  return (await submit.execute(submitCommand(agencyId, submission))).body.id;
}

beforeAll(async () => {
  let url: string;
  ({ db, url, close } = await testDatabase());
  config = await testConfig(url);
  const root = new Postkasse(config, { db });
  ctx = {
    config,
    db: async () => db,
    root: async () => root,
    actor: 'cli:test',
    print: (value) => printed.push(value),
    close: async () => undefined,
  };
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
  const generated = await openpgp.generateKey({
    type: 'ecc',
    curve: 'curve25519Legacy',
    userIDs: [{ name: 'Agency' }],
    format: 'armored',
  });
  const file = join(mkdtempSync(join(tmpdir(), 'pk-keys-')), 'agency.asc');
  writeFileSync(file, generated.publicKey);
  keys = {
    ...generated,
    file,
    fingerprint: (await readSigningKey(generated.publicKey)).fingerprint,
  };
  const platform = await readPlatformKey(config.platformOpenPgpKey);
  platformPublic = platform.key.toPublic().armor();
  producer = new JobProducer(producerConnection(config.redisUrl), `pk-keys-${uuidv7()}`);
  const composed = new Postkasse(config, { db, producer });
  submit = await composed.submitLetter();
  deliver = composed.deliverLetter(await inlineOpener(config));
});

afterAll(async () => {
  jest.restoreAllMocks();
  await producer.close();
  await close();
});

describe('an agency signing key over time', () => {
  it('keeps the revocation when a revoked key is added again, so a letter sent in the gap stays rejected', async () => {
    await cli('agency', 'create', '--name', 'Keys over time', '--signing-key', keys.file, '--json');
    const { id: agencyId } = printed.pop() as { id: string };
    const before = await send(agencyId, 'before the revocation');
    await cli('agency', 'revoke-key', '--agency', agencyId, '--fingerprint', keys.fingerprint);
    const [revoked] = await intervals(agencyId);
    const inGap = await send(agencyId, 'while revoked');
    await cli('agency', 'add-key', '--agency', agencyId, '--signing-key', keys.file);
    const after = await send(agencyId, 'after adding it again');

    // The worker sees all three only now, with the key valid again.
    expect(await deliver.execute(before)).toEqual({ kind: 'done', state: 'delivered' });
    expect(await deliver.execute(inGap)).toEqual({ kind: 'done', state: 'rejected' });
    expect(await deliver.execute(after)).toEqual({ kind: 'done', state: 'delivered' });

    const history = await intervals(agencyId);
    expect(history).toHaveLength(2);
    expect(history[0]).toEqual(revoked);
    expect(history[0]!.revoked_at).not.toBeNull();
    expect(history[1]!.added_at.getTime()).toBeGreaterThan(history[0]!.revoked_at!.getTime());
    expect(history[1]!.revoked_at).toBeNull();
    const [reason] = (await db.query(
      `SELECT payload->'reason'->>'detail' AS detail FROM receipts WHERE letter_id = $1 AND type = 'rejected'`,
      [inGap],
    )) as { detail: string }[];
    expect(reason!.detail).toContain(`agency key ${keys.fingerprint}, which was not valid at`);
  });

  it('adds a key that is already valid only once, and revokes only a valid key', async () => {
    await cli(
      'agency',
      'create',
      '--name',
      'Keys added twice',
      '--signing-key',
      keys.file,
      '--json',
    );
    const { id: agencyId } = printed.pop() as { id: string };
    await cli('agency', 'add-key', '--agency', agencyId, '--signing-key', keys.file);
    expect(await intervals(agencyId)).toHaveLength(1);

    await cli('agency', 'revoke-key', '--agency', agencyId, '--fingerprint', keys.fingerprint);
    await expect(
      cli('agency', 'revoke-key', '--agency', agencyId, '--fingerprint', keys.fingerprint),
    ).rejects.toBeInstanceOf(UsageError);
    const [closed] = await intervals(agencyId);
    expect(closed!.revoked_at).not.toBeNull();
  });

  it('leaves no agency behind when its signing key cannot be read', async () => {
    const name = `No key ${uuidv7()}`;
    const missing = join(tmpdir(), `pk-missing-${uuidv7()}.asc`);
    await expect(cli('agency', 'create', '--name', name, '--signing-key', missing)).rejects.toThrow(
      /ENOENT/,
    );
    await cli('agency', 'list', '--json');
    const listing = printed.pop() as { name: string }[];
    expect(listing.map((a) => a.name)).not.toContain(name);
  });

  it('lists every interval of a key', async () => {
    await cli('agency', 'create', '--name', 'Keys listed', '--signing-key', keys.file, '--json');
    const { id: agencyId } = printed.pop() as { id: string };
    await cli('agency', 'revoke-key', '--agency', agencyId, '--fingerprint', keys.fingerprint);
    await cli('agency', 'add-key', '--agency', agencyId, '--signing-key', keys.file);
    await cli('agency', 'list', '--json');
    const listing = printed.pop() as {
      id: string;
      signing_keys: { fingerprint: string; addedAt: string; revokedAt: string | null }[];
    }[];
    const listed = listing.find((a) => a.id === agencyId)!.signing_keys;
    expect(listed.map((k) => [k.fingerprint, k.revokedAt === null])).toEqual([
      [keys.fingerprint, false],
      [keys.fingerprint, true],
    ]);
  });
});

describe('the migration to one row per validity interval', () => {
  it('rebuilds the intervals an earlier re-add erased from the operator audit log', async () => {
    const own = await testDatabase();
    try {
      // Back to the schema before the interval migration, whatever landed after it.
      const applied = async () =>
        (await own.db.query(
          `SELECT 1 FROM schema_migrations WHERE name = 'PrintSpoolAndKeyIntervals1764500000000'`,
        )) as unknown[];
      const undoIntervals = async () => {
        while ((await applied()).length > 0)
          await own.db.undoLastMigration({ transaction: 'each' });
      };
      await undoIntervals();
      const agencyId = uuidv7();
      const at = (minutes: number) => new Date(Date.UTC(2025, 0, 1, 12, minutes));
      await own.db.query('INSERT INTO agencies (id, name) VALUES ($1, $2)', [agencyId, 'Old']);
      // As the old `add-key` left it: added, revoked, added, revoked, added again, all one row.
      await own.db.query(
        `INSERT INTO agency_signing_keys (id, agency_id, fingerprint, public_key, added_at)
         VALUES ($1, $2, $3, $4, $5)`,
        [uuidv7(), agencyId, keys.fingerprint, keys.publicKey, at(0)],
      );
      const events: [string, number][] = [
        ['agency.signing_key_added', 0],
        ['agency.signing_key_revoked', 10],
        ['agency.signing_key_added', 20],
        ['agency.signing_key_added', 25],
        ['agency.signing_key_revoked', 30],
        ['agency.signing_key_added', 40],
      ];
      for (const [action, minute] of events) {
        await own.db.query(
          `INSERT INTO operator_audit_log (at, actor, action, subject, details)
           VALUES ($1, 'cli:old', $2, $3, $4)`,
          [at(minute), action, agencyId, { fingerprint: keys.fingerprint }],
        );
      }

      await own.db.runMigrations({ transaction: 'each' });
      const rows = (await own.db.query(
        'SELECT added_at, revoked_at FROM agency_signing_keys WHERE agency_id = $1 ORDER BY added_at',
        [agencyId],
      )) as Interval[];
      expect(rows).toEqual([
        { added_at: at(0), revoked_at: at(10) },
        { added_at: at(20), revoked_at: at(30) },
        { added_at: at(40), revoked_at: null },
      ]);
      await expect(
        own.db.query(
          `INSERT INTO agency_signing_keys (id, agency_id, fingerprint, public_key) VALUES ($1, $2, $3, $4)`,
          [uuidv7(), agencyId, keys.fingerprint, keys.publicKey],
        ),
      ).rejects.toThrow(/agency_signing_keys_open/);

      // Reverting keeps one row per key: its first addition, open since a later one is.
      await undoIntervals();
      expect(
        await own.db.query(
          'SELECT added_at, revoked_at FROM agency_signing_keys WHERE agency_id = $1',
          [agencyId],
        ),
      ).toEqual([{ added_at: at(0), revoked_at: null }]);
    } finally {
      await own.close();
    }
  });
});
