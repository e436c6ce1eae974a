import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
} from 'typeorm';
import { User } from '../../users/entities/user.entity.js';

/**
 * An account at an OpenID provider linked to a user. It is found again by (issuer, subject), which
 * the provider never reassigns, not by email, which the person may change there.
 */
@Entity({ name: 'user_identities' })
@Index('user_identities_issuer_subject_key', ['issuer', 'subject'], { unique: true })
@Index('user_identities_user_created_idx', ['userId', 'createdAt', 'id'])
export class UserIdentity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'user_identities_user_id_fkey' })
  user?: Relation<User>;

  /** The configured provider's name when the identity was linked. */
  @Column({ type: 'varchar', length: 50 })
  provider: string;

  @Column({ type: 'varchar', length: 2048 })
  issuer: string;

  @Column({ type: 'varchar', length: 255 })
  subject: string;

  /** The address the provider gave at the last sign-in, for display. */
  @Column({ type: 'varchar', length: 254 })
  email: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'last_sign_in_at', type: 'timestamptz' })
  lastSignInAt: Date;
}
