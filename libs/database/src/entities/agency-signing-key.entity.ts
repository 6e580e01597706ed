import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One row per validity interval (added, revoked): a revoked key still proves the origin of letters
 * sent before, and adding it again opens a new row instead of erasing the revocation.
 */
@Entity('agency_signing_keys')
export class AgencySigningKeyRow {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'agency_id' }) agencyId!: string;
  @Column('text') fingerprint!: string;
  @Column('text', { name: 'public_key' }) publicKey!: string;
  @Column('timestamptz', { name: 'added_at' }) addedAt!: Date;
  @Column('timestamptz', { name: 'revoked_at', nullable: true }) revokedAt!: Date | null;
}
