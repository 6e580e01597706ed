import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('letters')
export class Letter {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'agency_id' }) agencyId!: string;
  @Column('uuid', { name: 'mailbox_id' }) mailboxId!: string;
  @Column('text') title!: string;
  @Column('text', { name: 'sender_reference', nullable: true }) senderReference!: string | null;
  @Column('text') state!: string;
  @Column('boolean', { name: 'requires_acknowledgement' }) requiresAcknowledgement!: boolean;
  @Column('int', { name: 'reminder_after_days' }) reminderAfterDays!: number;
  @Column('timestamptz', { name: 'publish_at', nullable: true }) publishAt!: Date | null;
  @Column('date', { name: 'due_date', nullable: true }) dueDate!: string | null;
  @Column('boolean', { name: 'end_to_end' }) endToEnd!: boolean;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'verified_at', nullable: true }) verifiedAt!: Date | null;
  /** When the print job handed a `forwarded_to_print` letter to print. */
  @Column('timestamptz', { name: 'spooled_at', nullable: true }) spooledAt!: Date | null;
  @Column('timestamptz', { name: 'delivered_at', nullable: true }) deliveredAt!: Date | null;
  @Column('timestamptz', { name: 'read_at', nullable: true }) readAt!: Date | null;
  @Column('timestamptz', { name: 'acknowledged_at', nullable: true }) acknowledgedAt!: Date | null;
  @Column('text') folder!: 'inbox' | 'archive' | 'trash';
  @Column('text', { name: 'folder_before_trash', nullable: true }) folderBeforeTrash!:
    string | null;
  @Column('timestamptz', { name: 'trashed_at', nullable: true }) trashedAt!: Date | null;
}
