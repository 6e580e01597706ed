import type { DataSource } from 'typeorm';
import { comingOfAge } from '#access';
import { invalid } from '#errors';
import { AgenciesStore, MailboxesStore, Sql } from '#stores';
import type { MailboxDirectory } from './mailbox-directory';
import type { GrantView, MailboxGrants } from './mailbox-grants';

export interface RegisteredOrganisation {
  id: string;
  organisationNumber: string;
  name: string;
  administrator: GrantView | null;
}

/**
 * What operators register from the command line (in production a register would feed these):
 * organisations and their first administrator, guardians of minors, executors of estates. Each
 * is in the operator audit log; the national ids only ever reach the database as HMACs.
 */
export class AccessRegistrations {
  private readonly mailboxes: MailboxesStore;
  private readonly audit: AgenciesStore;

  constructor(
    private readonly db: DataSource,
    private readonly directory: MailboxDirectory,
    private readonly grants: MailboxGrants,
    private readonly now: () => Date = () => new Date(),
  ) {
    const sql = new Sql(db);
    this.mailboxes = new MailboxesStore(sql);
    this.audit = new AgenciesStore(sql);
  }

  /** `org create`: the organisation's mailbox (made if no letter made it), its name, an admin. */
  async createOrganisation(
    organisation: { number: string; name: string; adminNationalId?: string },
    operator: string,
  ): Promise<RegisteredOrganisation> {
    this.directory.assertValidOrganisation(organisation.number, '--number');
    if (organisation.adminNationalId)
      this.directory.assertValid(organisation.adminNationalId, '--admin');
    const mailbox = await this.directory.findOrCreateOrganisation(
      this.db.manager,
      organisation.number,
    );
    await this.mailboxes.setDisplayName(mailbox.id, organisation.name);
    await this.audit.audit({
      actor: operator,
      action: 'organisation.registered',
      subject: mailbox.id,
      details: { organisationNumber: organisation.number, name: organisation.name },
    });
    const administrator = organisation.adminNationalId
      ? await this.grants.grantByOperator(
          {
            mailboxId: mailbox.id,
            granteeNationalId: organisation.adminNationalId,
            role: 'administrator',
            access: 'read_write',
            confidential: true,
            until: null,
          },
          operator,
        )
      : null;
    return {
      id: mailbox.id,
      organisationNumber: organisation.number,
      name: organisation.name,
      administrator,
    };
  }

  /**
   * `guardian add`: read_write for the minor's mailbox until their 18th birthday, which the
   * national id gives; refused for someone who is of age already.
   */
  async addGuardian(guardianNationalId: string, minorNationalId: string, operator: string) {
    this.directory.assertValid(guardianNationalId, '--guardian');
    this.directory.assertValid(minorNationalId, '--minor');
    const birthDate = this.directory.birthDateOf(minorNationalId);
    const ofAge = birthDate ? comingOfAge(birthDate) : null;
    if (!birthDate || !ofAge || ofAge.getTime() <= this.now().getTime())
      throw invalid('guardian.not_a_minor', `--minor is not a minor (born ${birthDate ?? '?'})`, {
        field: '--minor',
      });
    const minor = await this.directory.findOrCreate(this.db.manager, minorNationalId);
    await this.mailboxes.setMinorBirthDate(minor.id, birthDate);
    const grant = await this.grants.grantByOperator(
      {
        mailboxId: minor.id,
        granteeNationalId: guardianNationalId,
        role: 'guardian',
        access: 'read_write',
        confidential: true,
        until: null,
      },
      operator,
    );
    return { mailboxId: minor.id, birthDate, until: ofAge.toISOString(), grant };
  }

  /** `estate grant`: the executor reads the deceased person's post until the estate's date. */
  async grantEstate(
    deceasedNationalId: string,
    executorNationalId: string,
    until: Date,
    operator: string,
  ) {
    this.directory.assertValid(deceasedNationalId, '--deceased');
    this.directory.assertValid(executorNationalId, '--executor');
    if (Number.isNaN(until.getTime()) || until.getTime() <= this.now().getTime())
      throw invalid('estate.until_past', '--until must be a date in the future', {
        field: '--until',
      });
    const deceased = await this.directory.findOrCreate(this.db.manager, deceasedNationalId);
    const grant = await this.grants.grantByOperator(
      {
        mailboxId: deceased.id,
        granteeNationalId: executorNationalId,
        role: 'executor',
        access: 'read',
        confidential: true,
        until,
      },
      operator,
    );
    return { mailboxId: deceased.id, grant };
  }
}
