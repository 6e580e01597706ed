import { v7 as uuidv7 } from 'uuid';
import { GRANT_ROLES, type Grant, type GrantRole, type MailboxAccess } from '#access';
import { bool, bytes, date, nullable, oneOf, text } from './columns';
import type { Row, Sql } from './sql';

/**
 * How a person is named to the access model: the HMAC of their national id, base64url. The one
 * encoding of `Principal.personRef`, `PersonMailbox.ownerRef` and `Grant.granteeRef`, so the
 * pure check compares like with like.
 */
export const personRefOf = (nationalIdHmac: Buffer): string => nationalIdHmac.toString('base64url');

const role = oneOf(GRANT_ROLES);
const access = oneOf(['read', 'read_write'] as const);
const maybeDate = nullable(date);
const maybeText = nullable(text);

/** A grant as the grants page shows it: the grantee by the name they last logged in with. */
export interface GrantRecord extends Grant {
  /** Null until the grantee has logged in once (their identity provider gives the name). */
  granteeName: string | null;
  grantedByKind: 'person' | 'operator';
}

export interface NewGrant {
  mailboxId: string;
  granteeHmac: Buffer;
  role: GrantRole;
  access: MailboxAccess;
  confidential: boolean;
  until: Date | null;
  grantedByKind: 'person' | 'operator';
  /** The granting person's HMAC ref, or the operator's name. */
  grantedBy: string;
}

const GRANT_COLUMNS = `g.id, g.mailbox_id, g.grantee_hmac, g.role, g.access, g.confidential,
  g.until, g.created_at, g.revoked_at, g.granted_by_kind, p.display_name AS grantee_name`;
// The grantee's own mailbox, where their name is recorded when they log in.
const FROM_GRANTS = `grants g
  LEFT JOIN mailboxes p ON p.kind = 'person' AND p.national_id_hmac = g.grantee_hmac`;

function decodeGrant(r: Row): GrantRecord {
  return {
    id: text(r, 'id'),
    mailboxId: text(r, 'mailbox_id'),
    granteeRef: personRefOf(bytes(r, 'grantee_hmac')),
    role: role(r, 'role'),
    access: access(r, 'access'),
    confidential: bool(r, 'confidential'),
    until: maybeDate(r, 'until'),
    createdAt: date(r, 'created_at'),
    revokedAt: maybeDate(r, 'revoked_at'),
    granteeName: maybeText(r, 'grantee_name'),
    grantedByKind: oneOf(['person', 'operator'] as const)(r, 'granted_by_kind'),
  };
}

/**
 * Who may act for a mailbox besides its owner. Grants are never deleted: granting again
 * revokes the standing grant of the same mailbox, person and role and adds a new one, and a
 * revocation is a time, so the log can always say on what footing someone acted.
 */
export class GrantsStore {
  constructor(private readonly sql: Sql) {}

  /** Replaces a standing grant of the same mailbox, grantee and role, in one transaction. */
  grant(grant: NewGrant): Promise<GrantRecord> {
    return this.sql.transaction(async (tx) => {
      await tx.run(
        `UPDATE grants SET revoked_at = now(), revoked_by = $4
          WHERE mailbox_id = $1 AND grantee_hmac = $2 AND role = $3 AND revoked_at IS NULL`,
        [grant.mailboxId, grant.granteeHmac, grant.role, grant.grantedBy],
      );
      const id = uuidv7();
      await tx.run(
        `INSERT INTO grants (id, mailbox_id, grantee_hmac, role, access, confidential, until,
           granted_by_kind, granted_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [
          id,
          grant.mailboxId,
          grant.granteeHmac,
          grant.role,
          grant.access,
          grant.confidential,
          grant.until,
          grant.grantedByKind,
          grant.grantedBy,
        ],
      );
      return (await this.find(grant.mailboxId, id, tx))!;
    });
  }

  /**
   * Revokes the grant if it is the mailbox's and still standing; a second revocation changes
   * nothing. Null when the mailbox has no such grant at all.
   */
  async revoke(mailboxId: string, grantId: string, revokedBy: string): Promise<GrantRecord | null> {
    await this.sql.run(
      `UPDATE grants SET revoked_at = now(), revoked_by = $3
        WHERE id = $1 AND mailbox_id = $2 AND revoked_at IS NULL`,
      [grantId, mailboxId, revokedBy],
    );
    return this.find(mailboxId, grantId);
  }

  find(mailboxId: string, grantId: string, tx: Sql = this.sql): Promise<GrantRecord | null> {
    return tx.maybeOne(
      `SELECT ${GRANT_COLUMNS} FROM ${FROM_GRANTS} WHERE g.id = $1 AND g.mailbox_id = $2`,
      [grantId, mailboxId],
      decodeGrant,
    );
  }

  /**
   * A person's grants that are not revoked (expired ones too: the access model decides), read
   * fresh on every request so that a revocation holds on the next one in every API process.
   */
  standingOf(granteeHmac: Buffer): Promise<GrantRecord[]> {
    return this.standing('g.grantee_hmac = $1', granteeHmac);
  }

  /** The mailbox's standing grants, oldest first, for its grants page. */
  ofMailbox(mailboxId: string): Promise<GrantRecord[]> {
    return this.standing('g.mailbox_id = $1', mailboxId);
  }

  private standing(where: string, value: unknown): Promise<GrantRecord[]> {
    return this.sql.rows(
      `SELECT ${GRANT_COLUMNS} FROM ${FROM_GRANTS}
        WHERE ${where} AND g.revoked_at IS NULL ORDER BY g.created_at, g.id`,
      [value],
      decodeGrant,
    );
  }
}
