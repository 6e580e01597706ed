import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clockOf } from '../src/clock';
import { loadOrCreateDevelopmentSecrets } from '../src/development-secrets';
import { ConfigError, loadConfig } from '../src/load-config';

jest.setTimeout(30_000);

const secretsFile = join(mkdtempSync(join(tmpdir(), 'postkasse-config-')), 'secrets.json');

/** A production environment with every secret set, as an operator would supply it. */
async function productionEnv(extra: NodeJS.ProcessEnv): Promise<NodeJS.ProcessEnv> {
  const s = await loadOrCreateDevelopmentSecrets(secretsFile);
  return {
    NODE_ENV: 'production',
    MASTER_KEYS: s.masterKeys,
    NATIONAL_ID_PEPPER: s.nationalIdPepper,
    RECIPIENT_REF_KEY: s.recipientRefKey,
    PLATFORM_OPENPGP_KEY: s.platformOpenPgpKey,
    RECEIPT_SIGNING_KEY: JSON.stringify(s.receiptSigningKey),
    ...extra,
  };
}

async function refusal(env: NodeJS.ProcessEnv): Promise<string> {
  const error: unknown = await loadConfig(env).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return (error as ConfigError).message;
}

describe('loading the configuration', () => {
  it('uses one Redis and the primary for everything unless a cluster or a replica is named', async () => {
    const plain = await loadConfig({ NODE_ENV: 'test', SECRETS_FILE: secretsFile });
    expect(plain.redisClusterNodes).toBeNull();
    expect(plain.databaseReplicaUrl).toBeNull();
    const spread = await loadConfig({
      NODE_ENV: 'test',
      SECRETS_FILE: secretsFile,
      REDIS_CLUSTER_NODES: '127.0.0.1:7001, redis-2.internal:7002',
      QUEUE_PREFIX: '{postkasse}',
      DATABASE_REPLICA_URL: 'postgresql://postkasse@127.0.0.1:5433/postkasse',
    });
    expect(spread.redisClusterNodes).toEqual([
      { host: '127.0.0.1', port: 7001 },
      { host: 'redis-2.internal', port: 7002 },
    ]);
    expect(spread.queuePrefix).toBe('{postkasse}');
    expect(spread.databaseReplicaUrl).toBe('postgresql://postkasse@127.0.0.1:5433/postkasse');
  });

  it('refuses a Redis Cluster without a hash-tagged queue prefix, and malformed nodes', async () => {
    const cluster = { NODE_ENV: 'test', SECRETS_FILE: secretsFile };
    expect(await refusal({ ...cluster, REDIS_CLUSTER_NODES: '127.0.0.1:7001' })).toMatch(
      /QUEUE_PREFIX with a hash tag, e\.g\. \{postkasse\}/,
    );
    expect(
      await refusal({ ...cluster, REDIS_CLUSTER_NODES: '127.0.0.1', QUEUE_PREFIX: '{pk}' }),
    ).toMatch(/REDIS_CLUSTER_NODES: expected host:port/);
    expect(await refusal({ ...cluster, QUEUE_PREFIX: '{pk' })).toMatch(/QUEUE_PREFIX/);
  });

  it('refuses to start when NODE_ENV is not set, rather than assume development', async () => {
    const message = await refusal({ SECRETS_FILE: secretsFile });
    expect(message).toMatch(/NODE_ENV is not set/);
    expect(message).toMatch(/NODE_ENV=production/);
    expect(await refusal({ NODE_ENV: '', SECRETS_FILE: secretsFile })).toMatch(/NODE_ENV/);
  });

  it('gives development its issuer, synthetic numbers and private webhook targets only when asked', async () => {
    const dev = await loadConfig({ NODE_ENV: 'development', SECRETS_FILE: secretsFile });
    expect(dev.oidc.devIssuer?.enabled).toBe(true);
    expect(dev.nationalIds.allowSynthetic).toBe(true);
    expect(dev.webhooks.allowPrivateTargets).toBe(true);
    expect(dev.oidc.requireHttps).toBe(false);
  });

  it("takes Norway's identity numbers unless IDENTITY_COUNTRY names another country", async () => {
    const norway = await loadConfig({ NODE_ENV: 'development', SECRETS_FILE: secretsFile });
    expect(norway.nationalIds.country).toBe('NO');
    const denmark = await loadConfig({
      NODE_ENV: 'development',
      SECRETS_FILE: secretsFile,
      IDENTITY_COUNTRY: 'DK',
    });
    expect(denmark.nationalIds.country).toBe('DK');
    expect(
      await refusal({ NODE_ENV: 'development', SECRETS_FILE: secretsFile, IDENTITY_COUNTRY: 'SE' }),
    ).toMatch(/IDENTITY_COUNTRY/);
  });

  it('refuses an http OIDC issuer in production and names the variable', async () => {
    const message = await refusal(
      await productionEnv({ OIDC_ISSUER: 'http://login.example.org/realms/citizens' }),
    );
    expect(message).toMatch(/OIDC_ISSUER must use https/);
  });

  it('runs production on an https issuer with every development convenience off', async () => {
    const prod = await loadConfig(
      await productionEnv({ OIDC_ISSUER: 'https://login.example.org/realms/citizens' }),
    );
    expect(prod.oidc.requireHttps).toBe(true);
    expect(prod.oidc.devIssuer).toBeNull();
    expect(prod.nationalIds.allowSynthetic).toBe(false);
    expect(prod.webhooks.allowPrivateTargets).toBe(false);
  });

  it('refuses production without an issuer, or with the development issuer on', async () => {
    expect(await refusal(await productionEnv({}))).toMatch(/OIDC_ISSUER is required/);
    expect(
      await refusal(
        await productionEnv({ OIDC_ISSUER: 'https://login.example.org', DEV_OIDC_ISSUER: 'true' }),
      ),
    ).toMatch(/DEV_OIDC_ISSUER/);
  });

  it('refuses a test clock in production, and reads it elsewhere', async () => {
    const clockFile = join(mkdtempSync(join(tmpdir(), 'postkasse-clock-')), 'now');
    expect(
      await refusal(
        await productionEnv({
          OIDC_ISSUER: 'https://login.example.org',
          TEST_CLOCK_FILE: clockFile,
        }),
      ),
    ).toMatch(/TEST_CLOCK_FILE is for tests only/);
    const test = await loadConfig({
      NODE_ENV: 'test',
      SECRETS_FILE: secretsFile,
      TEST_CLOCK_FILE: clockFile,
    });
    expect(test.testClockFile).toBe(clockFile);
    expect(test.access).toEqual({ withholdMaxDays: 365, notifyIntervalMs: 60_000 });
    const clock = clockOf(test);
    const before = Date.now();
    expect(clock.now().getTime()).toBeGreaterThanOrEqual(before);
    writeFileSync(clockFile, '2030-01-02T03:04:05.000Z\n');
    expect(clock.now().toISOString()).toBe('2030-01-02T03:04:05.000Z');
    writeFileSync(clockFile, 'next week');
    expect(() => clock.now()).toThrow(/does not hold a time/);
    expect(() => clockOf({ env: 'production', testClockFile: clockFile })).toThrow(/refused/);
    expect(clockOf({ env: 'production', testClockFile: null }).now()).toBeInstanceOf(Date);
  });
});
