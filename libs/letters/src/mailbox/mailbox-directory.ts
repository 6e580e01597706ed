import { v7 as uuidv7 } from 'uuid';
import type { EntityManager } from 'typeorm';
import { newDataKey, unwrapDataKey, wrapDataKey, type MasterKeyring } from '#crypto';
import { invalid } from '#errors';
import {
  identitySchemes,
  nationalIdHmac,
  recipientRef,
  type IdentityCountry,
  type NationalIdScheme,
  type OrganisationNumberScheme,
} from '#identity';
import type { Mailbox } from '#database';
import { MailboxesStore, Sql } from '#stores';

export interface NationalIdPolicy {
  pepper: Buffer;
  recipientRefKey: Buffer;
  allowSynthetic: boolean;
  /** Whose national identity numbers are accepted (`IDENTITY_COUNTRY`). */
  country: IdentityCountry;
}

/** Whose mailbox a letter or a lookup names: a person's or an organisation's, by number. */
export type RecipientNumber = { nationalId: string } | { organisationNumber: string };

/**
 * Reserving against digital post (letters printed instead) is a person's choice; an
 * organisation's letters are always delivered to its mailbox.
 */
export const reservedAgainstDigitalPost = (mailbox: Pick<Mailbox, 'kind' | 'reserved'> | null) =>
  mailbox?.kind === 'person' && mailbox.reserved;

/**
 * Finds and creates per-citizen mailboxes. The national identity number only ever reaches the
 * database as an HMAC under the pepper, which lives outside the database.
 */
export class MailboxDirectory {
  private readonly scheme: NationalIdScheme;
  private readonly organisations: OrganisationNumberScheme;

  constructor(
    private readonly policy: NationalIdPolicy,
    private readonly masterKeys: MasterKeyring,
  ) {
    const schemes = identitySchemes(policy.country);
    this.scheme = schemes.person;
    this.organisations = schemes.organisation;
  }

  /** Throws a 400 naming the problem, as for a national id. */
  assertValidOrganisation(organisationNumber: string, field = 'organisationNumber'): void {
    const result = this.organisations.validate(organisationNumber);
    if (!result.ok) {
      throw invalid(
        'recipient.invalid_organisation_number',
        `${field} is not a valid organisation number: ${result.reason}`,
        { field },
      );
    }
  }

  findOrganisation(m: EntityManager, organisationNumber: string): Promise<Mailbox | null> {
    return new MailboxesStore(new Sql(m)).findByOrganisationNumber(organisationNumber);
  }

  /**
   * An organisation's mailbox is made by its first letter or by an operator's `org create`,
   * whichever comes first. Its receipts name it by a ref of its own kind, so an organisation
   * number and a national id that happen to be equal never share one.
   */
  async findOrCreateOrganisation(m: EntityManager, organisationNumber: string): Promise<Mailbox> {
    const store = new MailboxesStore(new Sql(m));
    const existing = await store.findByOrganisationNumber(organisationNumber);
    if (existing) return existing;
    const id = uuidv7();
    const { wrapped, masterKeyVersion } = wrapDataKey(this.masterKeys, newDataKey(), id);
    await store.insertOrganisationIfAbsent({
      id,
      organisationNumber,
      recipientRef: recipientRef(this.policy.recipientRefKey, `organisation:${organisationNumber}`),
      wrappedDataKey: wrapped,
      masterKeyVersion,
    });
    return (await store.findByOrganisationNumber(organisationNumber))!;
  }

  /** Either kind of recipient, checked by its own scheme; `field` is where it came from. */
  assertValidRecipient(recipient: RecipientNumber, field = 'recipient'): void {
    if ('organisationNumber' in recipient)
      this.assertValidOrganisation(recipient.organisationNumber, `${field}.organisationNumber`);
    else this.assertValid(recipient.nationalId, `${field}.nationalId`);
  }

  findRecipient(m: EntityManager, recipient: RecipientNumber): Promise<Mailbox | null> {
    return 'organisationNumber' in recipient
      ? this.findOrganisation(m, recipient.organisationNumber)
      : this.find(m, recipient.nationalId);
  }

  /** A letter's mailbox, made by the first letter to it (either kind). */
  findOrCreateRecipient(m: EntityManager, recipient: RecipientNumber): Promise<Mailbox> {
    return 'organisationNumber' in recipient
      ? this.findOrCreateOrganisation(m, recipient.organisationNumber)
      : this.findOrCreate(m, recipient.nationalId);
  }

  /** Throws a 400 naming the problem; `field` says where the number came from. */
  assertValid(nationalId: string, field = 'nationalId'): void {
    const result = this.scheme.validate(nationalId, { allowSynthetic: this.policy.allowSynthetic });
    if (!result.ok) {
      throw invalid(
        'recipient.invalid_national_id',
        `${field} is not a valid national identity number: ${result.reason}`,
        {
          field,
        },
      );
    }
  }

  /**
   * The reference receipts and access logs name a person by: the same keyed HMAC as a
   * recipient ref, so a sender can tell a guardian's reading from the citizen's own without
   * either number.
   */
  actorRefOf(nationalId: string): string {
    return recipientRef(this.policy.recipientRefKey, nationalId);
  }

  /** The minor's birth date as the identity scheme reads it from the number, or null. */
  birthDateOf(nationalId: string): string | null {
    return this.scheme.birthDate(nationalId, { allowSynthetic: this.policy.allowSynthetic });
  }

  hmacOf(nationalId: string): Buffer {
    return nationalIdHmac(this.policy.pepper, nationalId);
  }

  /** `m` is the caller's transaction, or the DataSource's manager outside one. */
  find(m: EntityManager, nationalId: string): Promise<Mailbox | null> {
    return new MailboxesStore(new Sql(m)).findByHmac(this.hmacOf(nationalId));
  }

  async findOrCreate(m: EntityManager, nationalId: string): Promise<Mailbox> {
    // The store runs in whatever `m` is: a submission's transaction or the plain manager.
    const store = new MailboxesStore(new Sql(m));
    const hmac = this.hmacOf(nationalId);
    const existing = await store.findByHmac(hmac);
    if (existing) return existing;
    const id = uuidv7();
    const { wrapped, masterKeyVersion } = wrapDataKey(this.masterKeys, newDataKey(), id);
    await store.insertIfAbsent({
      id,
      nationalIdHmac: hmac,
      recipientRef: recipientRef(this.policy.recipientRefKey, nationalId),
      wrappedDataKey: wrapped,
      masterKeyVersion,
    });
    // The loser of a race for the first letter reads the winner's row.
    return (await store.findByHmac(hmac))!;
  }

  dataKeyOf(mailbox: Pick<Mailbox, 'id' | 'wrappedDataKey' | 'masterKeyVersion'>): Buffer {
    if (!mailbox.wrappedDataKey) throw new Error(`mailbox ${mailbox.id} has been shredded`);
    return unwrapDataKey(
      this.masterKeys,
      mailbox.wrappedDataKey,
      mailbox.masterKeyVersion,
      mailbox.id,
    );
  }
}
