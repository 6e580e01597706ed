import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('mailboxes')
export class Mailbox {
  @PrimaryColumn('uuid') id!: string;
  @Column('text') kind!: 'person' | 'organisation';
  /**
   * A person's mailbox: HMAC of the national identity number under the pepper; the number itself
   * is never stored. Null for an organisation's.
   */
  @Column('bytea', { name: 'national_id_hmac', nullable: true }) nationalIdHmac!: Buffer | null;
  /** An organisation's mailbox: its organisation number, as it is (not personal data). */
  @Column('text', { name: 'organisation_number', nullable: true })
  organisationNumber!: string | null;
  /** The organisation's name, or the person's as their identity provider last gave it. */
  @Column('text', { name: 'display_name', nullable: true }) displayName!: string | null;
  /** `YYYY-MM-DD`, recorded when a guardian is added for a minor. */
  @Column('text', { name: 'minor_birth_date', nullable: true }) minorBirthDate!: string | null;
  @Column('text', { name: 'recipient_ref' }) recipientRef!: string;
  @Column('bytea', { name: 'wrapped_data_key', nullable: true }) wrappedDataKey!: Buffer | null;
  @Column('int', { name: 'master_key_version' }) masterKeyVersion!: number;
  @Column('boolean') reserved!: boolean;
  @Column('text', { name: 'notification_email', nullable: true }) notificationEmail!: string | null;
  @Column('boolean', { name: 'email_confirmed' }) emailConfirmed!: boolean;
  @Column('text') language!: 'da' | 'nb' | 'en';
  @Column('text', { name: 'time_zone' }) timeZone!: string;
  @Column('text', { name: 'public_key', nullable: true }) publicKey!: string | null;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  /** Set when an operator erased the mailbox: its keys are gone, its documents unreadable. */
  @Column('timestamptz', { name: 'erased_at', nullable: true }) erasedAt!: Date | null;
}
