import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('documents')
export class DocumentRow {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'letter_id' }) letterId!: string;
  @Column('int') position!: number;
  @Column('text') filename!: string;
  @Column('text', { name: 'media_type' }) mediaType!: string;
  /** The OpenPGP message as received; deleted once the letter is delivered or rejected. */
  @Column('bytea', { nullable: true }) received!: Buffer | null;
  @Column('bytea', { name: 'received_sha256' }) receivedSha256!: Buffer;
  /** Detached signature for end-to-end documents, as the agency sent it. */
  @Column('bytea', { name: 'received_signature', nullable: true })
  receivedSignature!: Buffer | null;
  /** At rest: AES-256-GCM under the mailbox's data key (or the ciphertext for end-to-end). */
  @Column('bytea', { nullable: true }) sealed!: Buffer | null;
  @Column('bytea', { name: 'plaintext_sha256', nullable: true }) plaintextSha256!: Buffer | null;
  @Column('int', { nullable: true }) size!: number | null;
  @Column('bytea', { nullable: true }) signature!: Buffer | null;
  @Column('text', { name: 'signer_fingerprint', nullable: true }) signerFingerprint!: string | null;
}
