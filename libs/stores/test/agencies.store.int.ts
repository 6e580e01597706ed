import { randomBytes } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import type { DataSource } from 'typeorm';
import { AgenciesStore, Sql } from '#stores';
import { testDatabase } from '../../../test/support/fixtures';

let db: DataSource;
let close: () => Promise<void>;
let agencies: AgenciesStore;

beforeAll(async () => {
  ({ db, close } = await testDatabase());
  agencies = new AgenciesStore(new Sql(db));
});
afterAll(() => close());

// The store does not parse keys (the CLI did when it read the file), so any text will do.
const key = (fingerprint = randomBytes(20).toString('hex')) => ({
  fingerprint,
  armored: `-----BEGIN PGP PUBLIC KEY BLOCK----- ${fingerprint}`,
});

async function newAgency(scopes: string[] = ['letters:send']) {
  const id = uuidv7();
  const hash = randomBytes(32);
  const signingKey = key();
  const opened = await agencies.create({
    id,
    name: `Agency ${id}`,
    signingKey,
    apiKey: { hash, scopes },
  });
  return { id, hash, signingKey, opened };
}

describe('AgenciesStore: API keys', () => {
  it('finds the agency and scopes of a key by its hash, and refuses it once revoked', async () => {
    const { id, hash } = await newAgency(['letters:send', 'webhooks:manage']);
    expect(await agencies.apiKeyByHash(hash)).toEqual({
      apiKeyId: expect.any(String),
      agencyId: id,
      agencyName: `Agency ${id}`,
      scopes: ['letters:send', 'webhooks:manage'],
    });
    expect(await agencies.apiKeyByHash(randomBytes(32))).toBeNull();

    expect(await agencies.revokeApiKeys(id)).toBe(1);
    expect(await agencies.apiKeyByHash(hash)).toBeNull();
    expect(await agencies.revokeApiKeys(id)).toBe(0);
  });

  it('lists every key of an agency, revoked ones included, oldest first', async () => {
    const { id } = await newAgency();
    await agencies.revokeApiKeys(id);
    await agencies.issueApiKey(id, { hash: randomBytes(32), scopes: ['letters:read'] });
    const keys = await agencies.keysOf(id);
    expect(keys.map((k) => [k.scopes, k.revokedAt === null])).toEqual([
      [['letters:send'], false],
      [['letters:read'], true],
    ]);
    expect(keys[0]!.createdAt).toBeInstanceOf(Date);
  });
});

describe('AgenciesStore: creating an agency', () => {
  it('writes the agency, its signing key and API key all or nothing', async () => {
    const { hash } = await newAgency();
    const id = uuidv7();
    // The API key's hash is taken: the last insert fails, and takes the agency with it.
    await expect(
      agencies.create({ id, name: 'Half made', signingKey: key(), apiKey: { hash, scopes: [] } }),
    ).rejects.toThrow(/key_hash/);
    expect(await agencies.exists(id)).toBe(false);
    expect(await agencies.signingKeyHistory(id)).toEqual([]);
  });

  it('lists agencies with their key intervals and active API keys', async () => {
    const { id, signingKey } = await newAgency();
    const listed = (await agencies.list()).find((a) => a.id === id);
    expect(listed).toEqual({
      id,
      name: `Agency ${id}`,
      createdAt: expect.any(Date),
      signingKeys: [
        { fingerprint: signingKey.fingerprint, addedAt: expect.any(String), revokedAt: null },
      ],
      activeApiKeys: 1,
    });
  });
});

describe('AgenciesStore: signing keys, one row per validity interval', () => {
  it('never reopens an interval: adding a revoked key again starts a new one', async () => {
    const { id, signingKey, opened } = await newAgency();

    const again = await agencies.addSigningKey(id, signingKey);
    expect(again).toEqual({ opened: false, interval: opened });

    const closed = await agencies.revokeSigningKey(id, signingKey.fingerprint.toUpperCase());
    expect(closed).toEqual({ ...opened, revokedAt: expect.any(Date) });
    expect(await agencies.revokeSigningKey(id, signingKey.fingerprint)).toBeNull();

    const reopened = await agencies.addSigningKey(id, signingKey);
    expect(reopened.opened).toBe(true);
    expect(reopened.interval.revokedAt).toBeNull();
    expect(reopened.interval.addedAt.getTime()).toBeGreaterThanOrEqual(
      closed!.revokedAt!.getTime(),
    );
    expect(await agencies.signingKeyHistory(id)).toEqual([closed, reopened.interval]);
  });
});

describe('AgenciesStore: the operator audit log', () => {
  it('records who changed what', async () => {
    const { id } = await newAgency();
    await agencies.audit({ actor: 'cli:test', action: 'agency.created', subject: id });
    await agencies.audit({
      actor: 'cli:test',
      action: 'agency.api_key_issued',
      subject: id,
      details: { scopes: ['letters:send'] },
    });
    const rows = await new Sql(db).rows(
      'SELECT action, details FROM operator_audit_log WHERE subject = $1 ORDER BY at, id',
      [id],
      (r) => [r.action, r.details],
    );
    expect(rows).toEqual([
      ['agency.created', {}],
      ['agency.api_key_issued', { scopes: ['letters:send'] }],
    ]);
  });
});
