import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('agencies')
export class Agency {
  @PrimaryColumn('uuid') id!: string;
  @Column('text') name!: string;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
}
