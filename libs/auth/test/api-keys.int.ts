import { v7 as uuidv7 } from 'uuid';
import type { DataSource } from 'typeorm';
import { ApiKeyAuthenticator, generateApiKey } from '#auth';
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

async function agencyWithKey() {
  const id = uuidv7();
  const { key, hash } = generateApiKey();
  await agencies.create({
    id,
    name: `Agency ${id}`,
    signingKey: { fingerprint: id.replace(/-/g, ''), armored: 'not parsed here' },
    apiKey: { hash, scopes: ['letters:send'] },
  });
  return { id, key };
}

describe('ApiKeyAuthenticator', () => {
  it('remembers a key it found for the cache time, then asks the database again', async () => {
    let now = 1_000_000;
    const keys = new ApiKeyAuthenticator(db, 5_000, () => now);
    const { id, key } = await agencyWithKey();
    expect(await keys.authenticate(key)).toMatchObject({ agencyId: id, scopes: ['letters:send'] });

    await agencies.revokeApiKeys(id);
    now += 4_999;
    expect(await keys.authenticate(key)).toMatchObject({ agencyId: id });
    now += 1;
    expect(await keys.authenticate(key)).toBeNull();
  });

  it('does not remember a key it did not find, so a new key works at once', async () => {
    const keys = new ApiKeyAuthenticator(db, 60_000);
    const { key } = generateApiKey();
    expect(await keys.authenticate(key)).toBeNull();
    const { id, key: issued } = await agencyWithKey();
    expect(await keys.authenticate(issued)).toMatchObject({ agencyId: id });
  });

  it('without a cache time sees a revocation on the next request', async () => {
    const keys = new ApiKeyAuthenticator(db, 0);
    const { id, key } = await agencyWithKey();
    expect(await keys.authenticate(key)).not.toBeNull();
    await agencies.revokeApiKeys(id);
    expect(await keys.authenticate(key)).toBeNull();
  });
});
