import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  type Relation,
} from 'typeorm';
import { User } from '../../users/entities/user.entity.js';
import type { OrganizationRole } from '../organization-role.js';
import { Organization } from './organization.entity.js';

/** A user's role in an organization; it goes with either (ON DELETE CASCADE). */
@Entity({ name: 'memberships' })
@Check('memberships_role_check', `"role" IN ('owner', 'admin', 'member', 'viewer')`)
// A user's organizations, and an organization's owners (the last one may not leave).
@Index('memberships_user_idx', ['userId'])
@Index('memberships_organization_role_idx', ['organizationId', 'role'])
export class Membership {
  @PrimaryColumn({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId: string;

  @Column({ type: 'varchar', length: 16 })
  role: OrganizationRole;

  @CreateDateColumn({ name: 'joined_at', type: 'timestamptz' })
  joinedAt: Date;

  @ManyToOne(() => Organization, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organization_id', foreignKeyConstraintName: 'memberships_organization_id_fkey' })
  organization?: Relation<Organization>;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'memberships_user_id_fkey' })
  user?: Relation<User>;
}
