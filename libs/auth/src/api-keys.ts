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

export class ApiKeyAuthenticator {
  private readonly agencies: AgenciesStore;

  constructor(db: DataSource) {
    this.agencies = new AgenciesStore(new Sql(db));
  }

  async authenticate(key: string): Promise<AgencyPrincipal | null> {
    const holder = await this.agencies.apiKeyByHash(hashApiKey(key));
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
