import { v7 as uuidv7 } from 'uuid';
import { ColumnTypeError, bool, date, int, json, nullable, text, texts } from './columns';
import type { Row, Sql } from './sql';

/** One period during which a key signed for its agency: `revokedAt` null while it still does. */
export interface SigningKeyInterval {
  fingerprint: string;
  addedAt: Date;
  revokedAt: Date | null;
}

/** The holder of an active API key, as authentication needs it. */
export interface ApiKeyHolder {
  apiKeyId: string;
  agencyId: string;
  agencyName: string;
  /** As stored; the caller checks them against the scopes it knows. */
  scopes: string[];
}

export interface ApiKeyRecord {
  id: string;
  scopes: string[];
  createdAt: Date;
  revokedAt: Date | null;
}

/** An agency as the operator's listing shows it. */
export interface AgencySummary {
  id: string;
  name: string;
  createdAt: Date;
  /**
   * Every interval of its keys, oldest first, with the timestamps as PostgreSQL's JSON writes
   * them (the listing prints them as they are); null when it has none.
   */
  signingKeys: { fingerprint: string; addedAt: string; revokedAt: string | null }[] | null;
  activeApiKeys: number;
}

/** An agency's key for what citizens send it, as the directory gives it out. */
export interface AgencyEncryptionKey {
  fingerprint: string;
  publicKey: string;
  addedAt: Date;
}

/** An agency as the public directory shows it, and what a reply to it needs. */
export interface AgencyListing {
  id: string;
  name: string;
  encryptionKey: AgencyEncryptionKey | null;
  acceptsMessages: boolean;
  topics: string[];
}

export interface OperatorAuditEntry {
  actor: string;
  action: string;
  subject: string;
  details?: Record<string, unknown>;
}

const INTERVAL_COLUMNS = 'fingerprint, added_at, revoked_at';

const decodeInterval = (r: Row): SigningKeyInterval => ({
  fingerprint: text(r, 'fingerprint'),
  addedAt: date(r, 'added_at'),
  revokedAt: nullable(date)(r, 'revoked_at'),
});

const decodeApiKey = (r: Row): ApiKeyRecord => ({
  id: text(r, 'id'),
  scopes: texts(r, 'scopes'),
  createdAt: date(r, 'created_at'),
  revokedAt: nullable(date)(r, 'revoked_at'),
});

function decodeListedKeys(r: Row): AgencySummary['signingKeys'] {
  if (r.signing_keys === null) return null;
  const value = json(r, 'signing_keys');
  const stringOrNull = (v: unknown) => v === null || typeof v === 'string';
  if (
    !Array.isArray(value) ||
    !value.every(
      (k): k is { fingerprint: string; addedAt: string; revokedAt: string | null } =>
        typeof k === 'object' &&
        k !== null &&
        'fingerprint' in k &&
        typeof k.fingerprint === 'string' &&
        'addedAt' in k &&
        typeof k.addedAt === 'string' &&
        'revokedAt' in k &&
        stringOrNull(k.revokedAt),
    )
  )
    throw new ColumnTypeError('signing_keys', 'a json array of key intervals', value);
  return value;
}

const decodeSummary = (r: Row): AgencySummary => ({
  id: text(r, 'id'),
  name: text(r, 'name'),
  createdAt: date(r, 'created_at'),
  signingKeys: decodeListedKeys(r),
  activeApiKeys: int(r, 'active_api_keys'),
});

function decodeListing(r: Row): AgencyListing {
  const fingerprint = nullable(text)(r, 'fingerprint');
  return {
    id: text(r, 'id'),
    name: text(r, 'name'),
    encryptionKey: fingerprint
      ? { fingerprint, publicKey: text(r, 'public_key'), addedAt: date(r, 'added_at') }
      : null,
    acceptsMessages: bool(r, 'accepts_messages'),
    topics: texts(r, 'message_topics'),
  };
}

const LISTING = `SELECT a.id, a.name, a.accepts_messages, a.message_topics, k.fingerprint, k.public_key, k.added_at
  FROM agencies a LEFT JOIN agency_encryption_keys k ON k.agency_id = a.id AND k.revoked_at IS NULL`;

/** Agencies, their signing keys and API keys, and the operator audit log of changes to them. */
export class AgenciesStore {
  constructor(private readonly sql: Sql) {}

  /**
   * A new agency with its first signing key and API key, all or nothing: an operator never
   * finds an agency that cannot sign or cannot be reached.
   */
  create(agency: {
    id: string;
    name: string;
    signingKey: { fingerprint: string; armored: string };
    apiKey: { hash: Buffer; scopes: readonly string[] };
  }): Promise<SigningKeyInterval> {
    return this.sql.transaction(async (tx) => {
      await tx.run('INSERT INTO agencies (id, name) VALUES ($1, $2)', [agency.id, agency.name]);
      const [opened] = await tx.rows(
        `INSERT INTO agency_signing_keys (id, agency_id, fingerprint, public_key) VALUES ($1, $2, $3, $4)
         RETURNING ${INTERVAL_COLUMNS}`,
        [uuidv7(), agency.id, agency.signingKey.fingerprint, agency.signingKey.armored],
        decodeInterval,
      );
      await this.issueApiKey(agency.id, agency.apiKey, tx);
      return opened!;
    });
  }

  async exists(agencyId: string): Promise<boolean> {
    return (await this.sql.count('SELECT 1 FROM agencies WHERE id = $1', [agencyId])) > 0;
  }

  /** Every agency, oldest first, with its keys' intervals and how many API keys are active. */
  list(): Promise<AgencySummary[]> {
    return this.sql.rows(
      `SELECT a.id, a.name, a.created_at,
         (SELECT json_agg(json_build_object('fingerprint', k.fingerprint, 'addedAt', k.added_at,
                                            'revokedAt', k.revoked_at) ORDER BY k.added_at)
            FROM agency_signing_keys k WHERE k.agency_id = a.id) AS signing_keys,
         (SELECT count(*)::int FROM api_keys ak WHERE ak.agency_id = a.id AND ak.revoked_at IS NULL) AS active_api_keys
       FROM agencies a ORDER BY a.created_at`,
      [],
      decodeSummary,
    );
  }

  /**
   * Locks the agency's row for the rest of the caller's transaction: how changes that count the
   * agency's rows first (its webhooks against their cap) are serialised.
   */
  async lock(tx: Sql, agencyId: string): Promise<void> {
    await tx.run('SELECT 1 FROM agencies WHERE id = $1 FOR UPDATE', [agencyId]);
  }

  // Signing keys: one row per validity interval (DESIGN "Encryption and signatures": a signature
  // is checked against the keys valid at the time of sending). A revocation is never undone:
  // adding the key again opens a new interval, so a letter sent in between stays unverifiable.

  /** Opens an interval from now; a key already valid keeps its open interval (`opened` false). */
  async addSigningKey(
    agencyId: string,
    key: { fingerprint: string; armored: string },
  ): Promise<{ opened: boolean; interval: SigningKeyInterval }> {
    const inserted = await this.sql.maybeOne(
      `INSERT INTO agency_signing_keys (id, agency_id, fingerprint, public_key) VALUES ($1, $2, $3, $4)
       ON CONFLICT (agency_id, fingerprint) WHERE revoked_at IS NULL DO NOTHING
       RETURNING ${INTERVAL_COLUMNS}`,
      [uuidv7(), agencyId, key.fingerprint, key.armored],
      decodeInterval,
    );
    if (inserted) return { opened: true, interval: inserted };
    const open = await this.sql.maybeOne(
      `SELECT ${INTERVAL_COLUMNS} FROM agency_signing_keys
        WHERE agency_id = $1 AND fingerprint = $2 AND revoked_at IS NULL`,
      [agencyId, key.fingerprint],
      decodeInterval,
    );
    // Revoked between the insert and this read: adding again is the caller's decision.
    if (!open) throw new Error(`signing key ${key.fingerprint} was revoked while being added`);
    return { opened: false, interval: open };
  }

  /** Closes the open interval; null when the key is not valid now. */
  revokeSigningKey(agencyId: string, fingerprint: string): Promise<SigningKeyInterval | null> {
    return this.sql.maybeOne(
      `UPDATE agency_signing_keys SET revoked_at = now()
        WHERE agency_id = $1 AND fingerprint = $2 AND revoked_at IS NULL
        RETURNING ${INTERVAL_COLUMNS}`,
      [agencyId, fingerprint.toLowerCase()],
      decodeInterval,
    );
  }

  /** Every interval of the agency's keys, oldest first. */
  signingKeyHistory(agencyId: string): Promise<SigningKeyInterval[]> {
    return this.sql.rows(
      `SELECT ${INTERVAL_COLUMNS} FROM agency_signing_keys
        WHERE agency_id = $1 ORDER BY added_at, fingerprint`,
      [agencyId],
      decodeInterval,
    );
  }

  /** Lets the agency withhold access-log entries, on the given legal basis; false if none. */
  async allowWithholding(agencyId: string, legalBasis: string): Promise<boolean> {
    const changed = await this.sql.count(
      `UPDATE agencies SET withholding_legal_basis = $2, withholding_allowed_at = now()
        WHERE id = $1`,
      [agencyId, legalBasis],
    );
    return changed > 0;
  }

  // Encryption keys: what citizens send the agency (replies) is encrypted to the current one.
  // One open interval at a time; the history stays, so a reply names the key it was sealed to.

  /** Makes `key` the agency's current encryption key; returns the fingerprint it replaced. */
  setEncryptionKey(
    agencyId: string,
    key: { fingerprint: string; armored: string },
  ): Promise<{ replaced: string | null }> {
    return this.sql.transaction(async (tx) => {
      await this.lock(tx, agencyId);
      const current = await tx.maybeOne(
        'SELECT fingerprint FROM agency_encryption_keys WHERE agency_id = $1 AND revoked_at IS NULL',
        [agencyId],
        (r) => text(r, 'fingerprint'),
      );
      if (current === key.fingerprint) return { replaced: null };
      await tx.run(
        'UPDATE agency_encryption_keys SET revoked_at = now() WHERE agency_id = $1 AND revoked_at IS NULL',
        [agencyId],
      );
      await tx.run(
        'INSERT INTO agency_encryption_keys (id, agency_id, fingerprint, public_key) VALUES ($1, $2, $3, $4)',
        [uuidv7(), agencyId, key.fingerprint, key.armored],
      );
      return { replaced: current };
    });
  }

  /** Whether citizens may start a message to the agency, and on which topics; false if no agency. */
  async setMessageTopics(
    agencyId: string,
    accepts: boolean,
    topics: readonly string[],
  ): Promise<boolean> {
    const changed = await this.sql.count(
      'UPDATE agencies SET accepts_messages = $2, message_topics = $3 WHERE id = $1',
      [agencyId, accepts, topics],
    );
    return changed > 0;
  }

  /** The legal basis on which the agency may withhold entries; null when it may not. */
  async withholdingBasis(agencyId: string, tx: Sql = this.sql): Promise<string | null> {
    const basis = await tx.maybeOne(
      'SELECT withholding_legal_basis FROM agencies WHERE id = $1',
      [agencyId],
      (r) => nullable(text)(r, 'withholding_legal_basis'),
    );
    return basis ?? null;
  }

  /** The public directory: every agency, by name. */
  directory(): Promise<AgencyListing[]> {
    return this.sql.rows(`${LISTING} ORDER BY a.name, a.id`, [], decodeListing);
  }

  /** One agency as the directory shows it; null when there is none. */
  listing(agencyId: string, tx: Sql = this.sql): Promise<AgencyListing | null> {
    return tx.maybeOne(`${LISTING} WHERE a.id = $1`, [agencyId], decodeListing);
  }

  // API keys: stored only as a SHA-256 hash of the key, which is shown once.

  async issueApiKey(
    agencyId: string,
    key: { hash: Buffer; scopes: readonly string[] },
    tx: Sql = this.sql,
  ): Promise<string> {
    const id = uuidv7();
    await tx.run('INSERT INTO api_keys (id, agency_id, key_hash, scopes) VALUES ($1, $2, $3, $4)', [
      id,
      agencyId,
      key.hash,
      key.scopes,
    ]);
    return id;
  }

  /** The agency holding the active key with this hash; null for an unknown or revoked key. */
  apiKeyByHash(hash: Buffer): Promise<ApiKeyHolder | null> {
    return this.sql.maybeOne(
      `SELECT k.id, k.agency_id, k.scopes, a.name FROM api_keys k JOIN agencies a ON a.id = k.agency_id
        WHERE k.key_hash = $1 AND k.revoked_at IS NULL`,
      [hash],
      (r) => ({
        apiKeyId: text(r, 'id'),
        agencyId: text(r, 'agency_id'),
        agencyName: text(r, 'name'),
        scopes: texts(r, 'scopes'),
      }),
    );
  }

  /** The agency's API keys, revoked ones included, oldest first. */
  keysOf(agencyId: string): Promise<ApiKeyRecord[]> {
    return this.sql.rows(
      'SELECT id, scopes, created_at, revoked_at FROM api_keys WHERE agency_id = $1 ORDER BY created_at, id',
      [agencyId],
      decodeApiKey,
    );
  }

  /** Revokes every active API key of the agency; returns how many were active. */
  revokeApiKeys(agencyId: string): Promise<number> {
    return this.sql.count(
      'UPDATE api_keys SET revoked_at = now() WHERE agency_id = $1 AND revoked_at IS NULL',
      [agencyId],
    );
  }

  /** One line in the operator audit log: who changed what, from the command line. */
  async audit(entry: OperatorAuditEntry): Promise<void> {
    await this.sql.run(
      'INSERT INTO operator_audit_log (actor, action, subject, details) VALUES ($1, $2, $3, $4)',
      [entry.actor, entry.action, entry.subject, entry.details ?? {}],
    );
  }

  // Written here for the operator's commands until the mailboxes store offers them: they
  // belong to the mailboxes group (see libs/stores/src/mailboxes.store.ts once it exists).

  /** Reserves a citizen against digital post (letters go to print), or lifts it. */
  async setMailboxReserved(mailboxId: string, reserved: boolean): Promise<void> {
    await this.sql.run('UPDATE mailboxes SET reserved = $2 WHERE id = $1', [mailboxId, reserved]);
  }

  /** A demo citizen's address, confirmed, so the demo's notifications reach the mail catcher. */
  async setConfirmedNotificationEmail(mailboxId: string, email: string): Promise<void> {
    await this.sql.run(
      'UPDATE mailboxes SET notification_email = $2, email_confirmed = true WHERE id = $1',
      [mailboxId, email],
    );
  }
}
