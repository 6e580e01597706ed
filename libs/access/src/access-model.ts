import { ACTING_ROLES, type ActingRole, type MailboxAccess } from './mailbox-scope';

/**
 * A signed-in person as the access check sees them. `personRef` is the HMAC of their national
 * identity number, encoded as the stores encode `Mailbox.ownerRef` and `Grant.granteeRef`, so the
 * check compares like with like and never sees the number itself.
 */
export interface Principal {
  readonly personRef: string;
  /** Organisation numbers the identity provider's token names this person an administrator of. */
  readonly administratorOf: readonly string[];
}

export interface PersonMailbox {
  readonly id: string;
  readonly kind: 'person';
  readonly ownerRef: string;
  /**
   * The owner's birth date (`YYYY-MM-DD`, read from the national id by the identity scheme),
   * recorded when a guardian is added: a guardian acts until the 18th birthday, and without the
   * date no guardian acts at all.
   */
  readonly minorBirthDate?: string | null;
}

export interface OrganisationMailbox {
  readonly id: string;
  readonly kind: 'organisation';
  readonly organisationNumber: string;
}

export type Mailbox = PersonMailbox | OrganisationMailbox;

/** What a grant makes its grantee: every role but the owner's (a person's own mailbox). */
export type GrantRole = Exclude<ActingRole, 'owner'>;
export const GRANT_ROLES: readonly GrantRole[] = ACTING_ROLES.filter(
  (role): role is GrantRole => role !== 'owner',
);

/** One person's right to act for one mailbox, as the grants table holds it. */
export interface Grant {
  readonly id: string;
  readonly mailboxId: string;
  readonly granteeRef: string;
  readonly role: GrantRole;
  readonly access: MailboxAccess;
  /** Whether letters marked confidential are in view. */
  readonly confidential: boolean;
  /** The first instant the grant no longer holds; null: until revoked. */
  readonly until: Date | null;
  /** A revoked grant grants nothing, whenever the question is asked. */
  readonly revokedAt: Date | null;
  /** Before this instant the grant grants nothing. */
  readonly createdAt: Date;
}
