import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
  UpdateDateColumn,
} from 'typeorm';
import { Organization } from '../../organizations/entities/organization.entity.js';
import { User } from '../../users/entities/user.entity.js';

@Entity({ name: 'items' })
// Lists are ordered by created_at desc, then id: per owner, and for superusers over all rows.
@Index('items_owner_created_idx', ['ownerId', 'createdAt', 'id'])
@Index('items_created_idx', ['createdAt', 'id'])
// An organization's items, newest first.
@Index('items_organization_created_idx', ['organizationId', 'createdAt', 'id'])
export class Item {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 255 })
  title: string;

  @Column({ type: 'varchar', length: 255, nullable: true })
  description: string | null;

  @Column({ name: 'owner_id', type: 'uuid' })
  ownerId: string;

  /** Items go with their owner (ON DELETE CASCADE). */
  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'owner_id', foreignKeyConstraintName: 'items_owner_id_fkey' })
  owner?: Relation<User>;

  /** The organization the item belongs to; null for a personal item. */
  @Column({ name: 'organization_id', type: 'uuid', nullable: true })
  organizationId: string | null;

  /** An organization's items go with it (ON DELETE CASCADE). */
  @ManyToOne(() => Organization, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organization_id', foreignKeyConstraintName: 'items_organization_id_fkey' })
  organization?: Relation<Organization>;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
