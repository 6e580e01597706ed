import type { DataSource } from 'typeorm';
import type { GrantRole, MailboxAccess, MailboxScope } from '#access';
import { invalid, notFound } from '#errors';
import { AgenciesStore, GrantsStore, Sql, type GrantRecord, type NewGrant } from '#stores';
import type { CitizenMailbox } from './citizen-mailbox';
import type { MailboxDirectory } from './mailbox-directory';

/** A grant as the grants page shows it; the grantee only by the name they logged in with. */
export interface GrantView {
  id: string;
  /** `name` is null until the grantee has logged in once. */
  grantee: { name: string | null };
  role: GrantRole;
  access: MailboxAccess;
  confidential: boolean;
  until: string | null;
  createdAt: string;
}

export interface GrantRequest {
  grantee: { nationalId: string };
  access: MailboxAccess;
  until?: string;
  confidential?: boolean;
  role?: 'administrator';
}

/** What an operator registers from the command line (guardians, executors, administrators). */
export interface OperatorGrant {
  mailboxId: string;
  granteeNationalId: string;
  role: GrantRole;
  access: MailboxAccess;
  confidential: boolean;
  until: Date | null;
}

const view = (g: GrantRecord): GrantView => ({
  id: g.id,
  grantee: { name: g.granteeName },
  role: g.role,
  access: g.access,
  confidential: g.confidential,
  until: g.until?.toISOString() ?? null,
  createdAt: g.createdAt.toISOString(),
});

/** The audit line of a grant: never the grantee's number, only the grant's own facts. */
const auditDetails = (g: GrantRecord) => ({
  grantId: g.id,
  role: g.role,
  access: g.access,
  confidential: g.confidential,
  until: g.until?.toISOString() ?? null,
});

/**
 * Who may act for a mailbox, managed by its owner (a person's mailbox) or an administrator (an
 * organisation's), and by operators for guardians, executors and first administrators. Every
 * grant and revocation is in the operator audit log and, when someone other than the owner made
 * it, in the mailbox's access log.
 */
export class MailboxGrants {
  constructor(
    private readonly db: DataSource,
    private readonly directory: MailboxDirectory,
    private readonly mailbox: CitizenMailbox,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async list(scope: MailboxScope): Promise<GrantView[]> {
    assertManages(scope);
    return (await new GrantsStore(new Sql(this.db)).ofMailbox(scope.mailboxId)).map(view);
  }

  async grant(scope: MailboxScope, request: GrantRequest): Promise<GrantView> {
    assertManages(scope);
    const nationalId = request.grantee.nationalId;
    this.directory.assertValid(nationalId, 'grantee.nationalId');
    const granteeHmac = this.directory.hmacOf(nationalId);
    if (scope.actor && this.directory.actorRefOf(nationalId) === scope.actor.ref)
      throw invalid('grant.self', 'You cannot grant yourself access', {
        field: 'grantee.nationalId',
      });
    if (request.role === 'administrator' && scope.kind !== 'organisation')
      throw invalid(
        'grant.invalid_role',
        "role administrator is for an organisation's mailbox; a person's grants have no role",
        { field: 'role' },
      );
    const until = this.futureOrNull(request.until);
    const role: GrantRole = scope.kind === 'person' ? 'grantee' : (request.role ?? 'employee');
    // An administrator runs the mailbox: writing and confidential letters come with the role.
    const administrator = role === 'administrator';
    const granted = await this.record(scope, 'mailbox.access_granted', (store) =>
      store.grant({
        mailboxId: scope.mailboxId,
        granteeHmac,
        role,
        access: administrator ? 'read_write' : request.access,
        confidential: administrator || (request.confidential ?? false),
        until,
        grantedByKind: 'person',
        grantedBy: scope.actor?.ref ?? 'owner',
      }),
    );
    return view(granted);
  }

  async revoke(scope: MailboxScope, grantId: string): Promise<GrantView> {
    assertManages(scope);
    const revoked = await this.record(scope, 'mailbox.access_revoked', async (store) => {
      const found = await store.revoke(scope.mailboxId, grantId, scope.actor?.ref ?? 'owner');
      if (!found) throw notFound('grant');
      return found;
    });
    return view(revoked);
  }

  /** An operator's grant (`org create --admin`, `guardian add`, `estate grant`). */
  async grantByOperator(grant: OperatorGrant, operator: string): Promise<GrantView> {
    const fields: NewGrant = {
      mailboxId: grant.mailboxId,
      granteeHmac: this.directory.hmacOf(grant.granteeNationalId),
      role: grant.role,
      access: grant.access,
      confidential: grant.confidential,
      until: grant.until,
      grantedByKind: 'operator',
      grantedBy: operator,
    };
    return new Sql(this.db).transaction(async (tx) => {
      const granted = await new GrantsStore(tx).grant(fields);
      await new AgenciesStore(tx).audit({
        actor: operator,
        action: `grant.${grant.role}`,
        subject: grant.mailboxId,
        details: auditDetails(granted),
      });
      return view(granted);
    });
  }

  /** The change, its operator audit line and (for anyone but the owner) its access-log entry. */
  private record(
    scope: MailboxScope,
    action: 'mailbox.access_granted' | 'mailbox.access_revoked',
    change: (store: GrantsStore) => Promise<GrantRecord>,
  ): Promise<GrantRecord> {
    return new Sql(this.db).transaction(async (tx) => {
      const grant = await change(new GrantsStore(tx));
      await new AgenciesStore(tx).audit({
        actor: `person:${scope.actor?.ref ?? 'owner'}`,
        action: action === 'mailbox.access_granted' ? 'grant.create' : 'grant.revoke',
        subject: scope.mailboxId,
        details: { ...auditDetails(grant), actorRole: scope.role },
      });
      await this.mailbox.trace(scope, action, undefined, tx);
      return grant;
    });
  }

  private futureOrNull(until: string | undefined): Date | null {
    if (until === undefined) return null;
    const at = new Date(until);
    if (at.getTime() <= this.now().getTime())
      throw invalid('grant.until_past', 'until must be in the future', { field: 'until' });
    return at;
  }
}

/** Owners and administrators manage who else may act; to anyone else the grants are not there. */
function assertManages(scope: MailboxScope): void {
  if (scope.role !== 'owner' && scope.role !== 'administrator') throw notFound('mailbox');
}
