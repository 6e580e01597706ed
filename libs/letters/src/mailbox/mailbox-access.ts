import type { DataSource } from 'typeorm';
import {
  actingAs,
  decideAccess,
  mailboxesToActFor,
  ownerScope,
  type Mailbox as AccessMailbox,
  type MailboxScope,
  type Principal,
} from '#access';
import type { Mailbox } from '#database';
import { notFound } from '#errors';
import { GrantsStore, MailboxesStore, Sql, personRefOf } from '#stores';
import type { MailboxDirectory } from './mailbox-directory';

/** The signed-in person as the API knows them from their token. */
export interface Caller {
  nationalId: string;
  /** As their identity provider gives it; recorded on their own mailbox for grants pages. */
  name: string;
  /** Organisation numbers the token names them an administrator of. */
  administratorOf: readonly string[];
}

/** One mailbox the caller may act for, as `GET /v1/me` lists it. */
export interface MailboxToActFor {
  id: string;
  kind: MailboxScope['kind'];
  name: string | null;
  role: MailboxScope['role'];
  access: MailboxScope['access'];
  confidential: boolean;
  until: string | null;
}

/** The access model's view of a stored mailbox. */
export function accessMailbox(mailbox: Mailbox): AccessMailbox {
  if (mailbox.kind === 'organisation')
    return {
      id: mailbox.id,
      kind: 'organisation',
      organisationNumber: mailbox.organisationNumber!,
    };
  return {
    id: mailbox.id,
    kind: 'person',
    ownerRef: personRefOf(mailbox.nationalIdHmac!),
    minorBirthDate: mailbox.minorBirthDate,
  };
}

/**
 * The access check on every citizen request (DESIGN "Who may act"): the caller's own mailbox
 * (made when they first log in, if no letter made it before) on the owner's footing, any other
 * through `decideAccess` over the caller's standing grants, read fresh from the database each
 * time, so a revocation holds on the next request in every API process.
 */
export class MailboxAccess {
  private readonly store: MailboxesStore;
  private readonly grants: GrantsStore;

  constructor(
    private readonly db: DataSource,
    private readonly directory: MailboxDirectory,
    private readonly now: () => Date = () => new Date(),
  ) {
    const sql = new Sql(db);
    this.store = new MailboxesStore(sql);
    this.grants = new GrantsStore(sql);
  }

  /** The caller's own mailbox; their name is recorded on it when it changed. */
  async own(caller: Caller | string): Promise<MailboxScope> {
    const who = typeof caller === 'string' ? null : caller;
    const nationalId = typeof caller === 'string' ? caller : caller.nationalId;
    const mailbox = await this.directory.findOrCreate(this.db.manager, nationalId);
    if (who && who.name && mailbox.displayName !== who.name)
      await this.store.setDisplayName(mailbox.id, who.name);
    const scope = ownerScope(mailbox);
    return who ? actingAs(scope, this.actorOf(who)) : scope;
  }

  /** Any mailbox by id: one the caller may not act for is "not found", exactly as a missing one. */
  async forMailbox(caller: Caller, mailboxId: string): Promise<MailboxScope> {
    const hmac = this.directory.hmacOf(caller.nationalId);
    const [mailbox, grants] = await Promise.all([
      this.store.findById(mailboxId),
      this.grants.standingOf(hmac),
    ]);
    const decided = mailbox
      ? decideAccess(this.principalOf(caller, hmac), accessMailbox(mailbox), grants, this.now())
      : 'none';
    if (decided === 'none') throw notFound('mailbox');
    return actingAs(decided, this.actorOf(caller));
  }

  /** Every mailbox the caller may act for, their own first (`GET /v1/me`). */
  async actingFor(caller: Caller): Promise<MailboxToActFor[]> {
    const own = await this.own(caller);
    const hmac = this.directory.hmacOf(caller.nationalId);
    const grants = await this.grants.standingOf(hmac);
    const mailboxes = [
      ...(await this.store.findByIds([own.mailboxId, ...grants.map((g) => g.mailboxId)])),
      ...(await this.store.findByOrganisationNumbers(caller.administratorOf)),
    ];
    const names = new Map(mailboxes.map((m) => [m.id, m.displayName]));
    const scopes = mailboxesToActFor(
      this.principalOf(caller, hmac),
      mailboxes.map(accessMailbox),
      grants,
      this.now(),
    );
    return scopes.map((s) => ({
      id: s.mailboxId,
      kind: s.kind,
      name: s.mailboxId === own.mailboxId ? caller.name : (names.get(s.mailboxId) ?? null),
      role: s.role,
      access: s.access,
      confidential: s.confidential,
      until: s.until?.toISOString() ?? null,
    }));
  }

  private principalOf(caller: Caller, hmac: Buffer): Principal {
    return { personRef: personRefOf(hmac), administratorOf: caller.administratorOf };
  }

  private actorOf(caller: Caller) {
    return { ref: this.directory.actorRefOf(caller.nationalId), name: caller.name };
  }
}
