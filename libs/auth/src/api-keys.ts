import { createHash, randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { AgencyPrincipal, Scope } from './principals';

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
  constructor(private readonly db: DataSource) {}

  async authenticate(key: string): Promise<AgencyPrincipal | null> {
    const rows = (await this.db.query(
      `SELECT k.id, k.agency_id, k.scopes, a.name FROM api_keys k JOIN agencies a ON a.id = k.agency_id
        WHERE k.key_hash = $1 AND k.revoked_at IS NULL`,
      [hashApiKey(key)],
    )) as { id: string; agency_id: string; scopes: Scope[]; name: string }[];
    const row = rows[0];
    if (!row) return null;
    return {
      kind: 'agency',
      agencyId: row.agency_id,
      name: row.name,
      scopes: row.scopes,
      apiKeyId: row.id,
    };
  }
}
