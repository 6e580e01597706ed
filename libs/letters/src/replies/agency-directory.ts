import { AgenciesStore, type AgencyListing, type Sql } from '#stores';

export interface AgencyDirectoryEntry {
  id: string;
  name: string;
  /** What to encrypt replies and messages to; null: the agency receives nothing yet. */
  encryptionKey: { fingerprint: string; publicKey: string } | null;
  /** Whether citizens may start a message (POST /v1/mailbox/messages) on one of `topics`. */
  acceptsMessages: boolean;
  topics: string[];
}

const entry = (a: AgencyListing): AgencyDirectoryEntry => ({
  id: a.id,
  name: a.name,
  encryptionKey: a.encryptionKey
    ? { fingerprint: a.encryptionKey.fingerprint, publicKey: a.encryptionKey.publicKey }
    : null,
  acceptsMessages: a.acceptsMessages && a.encryptionKey !== null,
  topics: a.encryptionKey ? a.topics : [],
});

/** The public directory of agencies (`GET /v1/agencies`): who they are and how to write to them. */
export class AgencyDirectory {
  private readonly agencies: AgenciesStore;

  constructor(sql: Sql) {
    this.agencies = new AgenciesStore(sql);
  }

  async list(): Promise<{ items: AgencyDirectoryEntry[]; nextCursor: null }> {
    return { items: (await this.agencies.directory()).map(entry), nextCursor: null };
  }
}
