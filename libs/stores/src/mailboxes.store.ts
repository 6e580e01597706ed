import { MAILBOX_KINDS, mailboxToWrite, type MailboxScope } from '#access';
import { Mailbox } from '#database';
import { bool, bytes, date, int, nullable, oneOf, text } from './columns';
import type { Row, Sql } from './sql';

export const LANGUAGES = ['da', 'nb', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

const language = oneOf(LANGUAGES);
const mailboxKind = oneOf(MAILBOX_KINDS);
const maybeText = nullable(text);
const maybeDate = nullable(date);

const MAILBOX_COLUMNS = `id, kind, national_id_hmac, organisation_number, display_name,
  to_char(minor_birth_date, 'YYYY-MM-DD') AS minor_birth_date, recipient_ref, wrapped_data_key,
  master_key_version, reserved, notification_email, email_confirmed, language, time_zone,
  public_key, created_at`;

function decodeMailbox(r: Row): Mailbox {
  return Object.assign(new Mailbox(), {
    id: text(r, 'id'),
    kind: mailboxKind(r, 'kind'),
    nationalIdHmac: nullable(bytes)(r, 'national_id_hmac'),
    organisationNumber: maybeText(r, 'organisation_number'),
    displayName: maybeText(r, 'display_name'),
    minorBirthDate: maybeText(r, 'minor_birth_date'),
    recipientRef: text(r, 'recipient_ref'),
    wrappedDataKey: nullable(bytes)(r, 'wrapped_data_key'),
    masterKeyVersion: int(r, 'master_key_version'),
    reserved: bool(r, 'reserved'),
    notificationEmail: maybeText(r, 'notification_email'),
    emailConfirmed: bool(r, 'email_confirmed'),
    language: language(r, 'language'),
    timeZone: text(r, 'time_zone'),
    publicKey: maybeText(r, 'public_key'),
    createdAt: date(r, 'created_at'),
  });
}

export interface NewMailbox {
  id: string;
  nationalIdHmac: Buffer;
  recipientRef: string;
  wrappedDataKey: Buffer;
  masterKeyVersion: number;
}

export interface CitizenKeyRecord {
  publicKey: string | null;
  encryptedPrivateKey: string | null;
  fingerprint: string | null;
  updatedAt: Date | null;
}

export interface MailboxSettingsRecord {
  notificationEmail: string | null;
  emailConfirmed: boolean;
  language: Language;
  timeZone: string;
  reserved: boolean;
}

function decodeSettings(r: Row): MailboxSettingsRecord {
  return {
    notificationEmail: maybeText(r, 'notification_email'),
    emailConfirmed: bool(r, 'email_confirmed'),
    language: language(r, 'language'),
    timeZone: text(r, 'time_zone'),
    reserved: bool(r, 'reserved'),
  };
}

/** The settings a citizen may change, as columns; a change of address unconfirms it. */
const SETTING_COLUMNS = {
  notificationEmail: 'notification_email',
  emailConfirmed: 'email_confirmed',
  language: 'language',
  timeZone: 'time_zone',
  reserved: 'reserved',
} as const satisfies Record<keyof MailboxSettingsRecord, string>;

/**
 * Mailboxes, the citizen's end-to-end key and their settings. Built on the executor at hand: a
 * submission finds or makes its recipient's mailbox inside its own transaction.
 */
export class MailboxesStore {
  constructor(private readonly sql: Sql) {}

  /**
   * Plain SQL: every citizen request and every submission looks a mailbox up, and findOne builds
   * its query from the entity's metadata each time (a sixth of what a read allocated).
   */
  findByHmac(nationalIdHmac: Buffer): Promise<Mailbox | null> {
    return this.sql.maybeOne(
      `SELECT ${MAILBOX_COLUMNS} FROM mailboxes WHERE national_id_hmac = $1`,
      [nationalIdHmac],
      decodeMailbox,
    );
  }

  findById(mailboxId: string): Promise<Mailbox | null> {
    return this.sql.maybeOne(
      `SELECT ${MAILBOX_COLUMNS} FROM mailboxes WHERE id = $1`,
      [mailboxId],
      decodeMailbox,
    );
  }

  /** The mailboxes named (those of a person's grants, for `GET /v1/me`), in no set order. */
  findByIds(mailboxIds: readonly string[]): Promise<Mailbox[]> {
    if (mailboxIds.length === 0) return Promise.resolve([]);
    return this.sql.rows(
      `SELECT ${MAILBOX_COLUMNS} FROM mailboxes WHERE id = ANY($1::uuid[])`,
      [mailboxIds],
      decodeMailbox,
    );
  }

  /** Organisations' mailboxes by number (those a token names the person an administrator of). */
  findByOrganisationNumbers(numbers: readonly string[]): Promise<Mailbox[]> {
    if (numbers.length === 0) return Promise.resolve([]);
    return this.sql.rows(
      `SELECT ${MAILBOX_COLUMNS} FROM mailboxes WHERE organisation_number = ANY($1::text[])`,
      [numbers],
      decodeMailbox,
    );
  }

  /** A minor's birth date, recorded when a guardian is added: the guardian acts until 18. */
  async setMinorBirthDate(mailboxId: string, birthDate: string): Promise<void> {
    await this.sql.run('UPDATE mailboxes SET minor_birth_date = $2::date WHERE id = $1', [
      mailboxId,
      birthDate,
    ]);
  }

  /** Two first letters may race; the unique HMAC decides and the loser changes nothing. */
  async insertIfAbsent(mailbox: NewMailbox): Promise<void> {
    await this.sql.run(
      `INSERT INTO mailboxes (id, national_id_hmac, recipient_ref, wrapped_data_key, master_key_version)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT (national_id_hmac) DO NOTHING`,
      [
        mailbox.id,
        mailbox.nationalIdHmac,
        mailbox.recipientRef,
        mailbox.wrappedDataKey,
        mailbox.masterKeyVersion,
      ],
    );
  }

  findByOrganisationNumber(organisationNumber: string): Promise<Mailbox | null> {
    return this.sql.maybeOne(
      `SELECT ${MAILBOX_COLUMNS} FROM mailboxes WHERE organisation_number = $1`,
      [organisationNumber],
      decodeMailbox,
    );
  }

  /** As for a person: two first letters to an organisation may race, and the number decides. */
  async insertOrganisationIfAbsent(
    mailbox: Omit<NewMailbox, 'nationalIdHmac'> & { organisationNumber: string },
  ): Promise<void> {
    await this.sql.run(
      `INSERT INTO mailboxes (id, kind, organisation_number, recipient_ref, wrapped_data_key,
         master_key_version)
       VALUES ($1, 'organisation', $2, $3, $4, $5) ON CONFLICT (organisation_number) DO NOTHING`,
      [
        mailbox.id,
        mailbox.organisationNumber,
        mailbox.recipientRef,
        mailbox.wrappedDataKey,
        mailbox.masterKeyVersion,
      ],
    );
  }

  /** The organisation's registered name, or the person's as their identity provider gave it. */
  async setDisplayName(mailboxId: string, displayName: string): Promise<void> {
    await this.sql.run(
      `UPDATE mailboxes SET display_name = $2 WHERE id = $1 AND display_name IS DISTINCT FROM $2`,
      [mailboxId, displayName],
    );
  }

  citizenKey(scope: MailboxScope): Promise<CitizenKeyRecord | null> {
    return this.sql.maybeOne(
      `SELECT public_key, encrypted_private_key, public_key_fingerprint, key_updated_at
         FROM mailboxes WHERE id = $1`,
      [scope.mailboxId],
      (r) => ({
        publicKey: maybeText(r, 'public_key'),
        encryptedPrivateKey: maybeText(r, 'encrypted_private_key'),
        fingerprint: maybeText(r, 'public_key_fingerprint'),
        updatedAt: maybeDate(r, 'key_updated_at'),
      }),
    );
  }

  /** `null` removes the key: letters already sent to it stay encrypted to it. */
  async setCitizenKey(
    scope: MailboxScope,
    key: { publicKey: string; encryptedPrivateKey: string | null; fingerprint: string } | null,
  ): Promise<void> {
    await this.sql.run(
      `UPDATE mailboxes SET public_key = $2, encrypted_private_key = $3,
         public_key_fingerprint = $4, key_updated_at = now() WHERE id = $1`,
      [
        mailboxToWrite(scope),
        key?.publicKey ?? null,
        key?.encryptedPrivateKey ?? null,
        key?.fingerprint ?? null,
      ],
    );
  }

  settings(scope: MailboxScope): Promise<MailboxSettingsRecord | null> {
    return this.sql.maybeOne(
      `SELECT notification_email, email_confirmed, language, time_zone, reserved
         FROM mailboxes WHERE id = $1`,
      [scope.mailboxId],
      decodeSettings,
    );
  }

  /** Sets the named settings and returns them all as they now are, in one statement. */
  async updateSettings(
    scope: MailboxScope,
    patch: Partial<MailboxSettingsRecord>,
  ): Promise<MailboxSettingsRecord | null> {
    const params: unknown[] = [mailboxToWrite(scope)];
    const sets: string[] = [];
    for (const [field, column] of Object.entries(SETTING_COLUMNS)) {
      const value = patch[field as keyof MailboxSettingsRecord];
      if (value === undefined) continue;
      params.push(value);
      sets.push(`${column} = $${params.length}`);
    }
    const assignments = sets.length > 0 ? sets.join(', ') : 'id = id';
    return this.sql.maybeOne(
      `UPDATE mailboxes SET ${assignments} WHERE id = $1
       RETURNING notification_email, email_confirmed, language, time_zone, reserved`,
      params,
      decodeSettings,
    );
  }
}
