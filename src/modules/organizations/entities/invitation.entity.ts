import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
} from 'typeorm';
import type { OrganizationRole } from '../organization-role.js';
import { Organization } from './organization.entity.js';

/**
 * An invitation to join an organization, until it is accepted, revoked (deleted) or expires.
 * Only the SHA-256 of its token is kept: the token itself is in the email alone.
 */
@Entity({ name: 'invitations' })
@Check('invitations_role_check', `"role" IN ('owner', 'admin', 'member', 'viewer')`)
@Index('invitations_token_hash_key', ['tokenHash'], { unique: true })
@Index('invitations_organization_created_idx', ['organizationId', 'createdAt', 'id'])
export class Invitation {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @ManyToOne(() => Organization, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organization_id', foreignKeyConstraintName: 'invitations_organization_id_fkey' })
  organization?: Relation<Organization>;

  /** The address as the inviter wrote it, for display and the email. */
  @Column({ type: 'varchar', length: 254 })
  email: string;

  /** normalizeEmail(email): what the accepting account's address is compared with. */
  @Column({ name: 'email_normalized', type: 'varchar', length: 254 })
  emailNormalized: string;

  @Column({ type: 'varchar', length: 16 })
  role: OrganizationRole;

  @Column({ name: 'token_hash', type: 'varchar', length: 64 })
  tokenHash: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @Column({ name: 'accepted_at', type: 'timestamptz', nullable: true })
  acceptedAt: Date | null;
}
