import { createHash, randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { AgenciesStore, Sql } from '#stores';
import { isScope, type AgencyPrincipal } from './principals';

const PREFIX = 'pk_';

/** API keys are random, shown once, and stored only as a SHA-256 hash. */
export function generateApiKey(): { key: string; hash: Buffer } {
  const key = `${PREFIX}${randomBytes(32).toString('base64url')}`;
  return { key, hash: hashApiKey(key) };
}

export function hashApiKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

export function looksLikeApiKey(token: string): boolean {
  return token.startsWith(PREFIX);
}

/** Enough for every agency's keys; past it the oldest entry makes room. */
const CACHE_ENTRIES = 10_000;

/**
 * Agency API keys, looked up by hash. Every agency request asks, so a key found is remembered
 * for `cacheMs` (API_KEY_CACHE_SECONDS): a revoked key keeps working for at most that long in an
 * API process that saw it just before. Unknown keys are not remembered, so a new key works at
 * once and guessing fills nothing. Only the hash is held, never the key.
 */
export class ApiKeyAuthenticator {
  private readonly agencies: AgenciesStore;
  private readonly found = new Map<string, { principal: AgencyPrincipal; until: number }>();

  constructor(
    db: DataSource,
    private readonly cacheMs = 0,
    private readonly now: () => number = Date.now,
  ) {
    this.agencies = new AgenciesStore(new Sql(db));
  }

  async authenticate(key: string): Promise<AgencyPrincipal | null> {
    const hash = hashApiKey(key);
    if (this.cacheMs <= 0) return this.lookUp(hash);
    const id = hash.toString('base64');
    const cached = this.found.get(id);
    if (cached && cached.until > this.now()) return cached.principal;
    this.found.delete(id);
    const principal = await this.lookUp(hash);
    if (principal) {
      if (this.found.size >= CACHE_ENTRIES) this.found.delete(this.found.keys().next().value!);
      this.found.set(id, { principal, until: this.now() + this.cacheMs });
    }
    return principal;
  }

  private async lookUp(hash: Buffer): Promise<AgencyPrincipal | null> {
    const holder = await this.agencies.apiKeyByHash(hash);
    if (!holder) return null;
    return {
      kind: 'agency',
      agencyId: holder.agencyId,
      name: holder.agencyName,
      // A scope this build does not know (stored by a newer one) grants nothing here.
      scopes: holder.scopes.filter(isScope),
      apiKeyId: holder.apiKeyId,
    };
  }
}
