import { Client } from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { nationalIdHmac } from '#identity';
import { testConfig } from './fixtures';
import type { Stack } from './stack';

export interface TestGrant {
  role?: 'administrator' | 'employee';
  access?: 'read' | 'read_write';
  confidential: boolean;
  until?: Date | null;
  revokedAt?: Date | null;
}

/**
 * An organisation's mailbox as its administrators will shape it through the grant and settings
 * routes, written straight into a stack's database: for tests of what sending and
 * notifications do with it, not of those routes. Grantees are named by national id and stored
 * as the HMAC under the stack's pepper, as the grant routes store them.
 */
export class OrganisationFixture {
  private constructor(
    private readonly db: Client,
    private readonly pepper: Buffer,
  ) {}

  static async open(stack: Stack): Promise<OrganisationFixture> {
    const config = await testConfig(stack.env.DATABASE_URL!);
    const db = new Client({ connectionString: stack.env.DATABASE_URL });
    await db.connect();
    return new OrganisationFixture(db, config.nationalIds.pepper);
  }

  async close(): Promise<void> {
    await this.db.end();
  }

  async mailboxOf(organisationNumber: string): Promise<{ id: string; kind: string } | null> {
    const { rows } = await this.db.query<{ id: string; kind: string }>(
      'SELECT id, kind FROM mailboxes WHERE organisation_number = $1',
      [organisationNumber],
    );
    return rows[0] ?? null;
  }

  async setConfirmedAddress(mailboxId: string, email: string, name?: string): Promise<void> {
    await this.db.query(
      `UPDATE mailboxes SET notification_email = $2, email_confirmed = true,
         display_name = COALESCE($3, display_name) WHERE id = $1`,
      [mailboxId, email, name ?? null],
    );
  }

  async grant(mailboxId: string, nationalId: string, grant: TestGrant): Promise<void> {
    await this.db.query(
      `INSERT INTO grants (id, mailbox_id, grantee_hmac, role, access, confidential, until,
         created_at, granted_by_kind, granted_by, revoked_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, now() - interval '1 minute', 'operator', 'test', $8)`,
      [
        uuidv7(),
        mailboxId,
        nationalIdHmac(this.pepper, nationalId),
        grant.role ?? 'employee',
        grant.access ?? 'read',
        grant.confidential,
        grant.until ?? null,
        grant.revokedAt ?? null,
      ],
    );
  }

  async count(sql: string, params: unknown[]): Promise<number> {
    const { rows } = await this.db.query<{ n: string }>(sql, params);
    return Number(rows[0]?.n ?? 0);
  }
}
