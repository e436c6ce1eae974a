import {
  Column,
  CreateDateColumn,
  Entity,
  type FindOptionsWhere,
  Index,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { normalizeEmail } from '../../../common/validation/email-address.js';

@Entity({ name: 'users' })
// Emails are unique by their normalised form (normalizeEmail), which is what lookups compare.
@Index('users_email_normalized_key', ['emailNormalized'], { unique: true })
export class User {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Stored as given: mail goes to the address the user typed. */
  @Column({ type: 'varchar', length: 254 })
  email: string;

  /** normalizeEmail(email), kept with it on every write (see UsersService). */
  @Column({ name: 'email_normalized', type: 'varchar', length: 254 })
  emailNormalized: string;

  @Column({ name: 'full_name', type: 'varchar', length: 255, nullable: true })
  fullName: string | null;

  /** Null for an account made by single sign-on that has never set a password. */
  @Column({ name: 'hashed_password', type: 'varchar', length: 255, nullable: true })
  hashedPassword: string | null;

  @Column({ name: 'is_active', type: 'boolean', default: true })
  isActive: boolean;

  @Column({ name: 'is_superuser', type: 'boolean', default: false })
  isSuperuser: boolean;

  /** The user has shown they receive mail at `email` (a link, an identity provider, or a superuser). */
  @Column({ name: 'is_verified', type: 'boolean', default: false })
  isVerified: boolean;

  /**
   * Bumped whenever the user's credentials or standing change (password set, reset, email
   * change, deactivation): login sessions record the version they were issued under and stop working
   * when it moves on.
   */
  @Column({ name: 'credentials_version', type: 'integer', default: 0 })
  credentialsVersion: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

/**
 * How a user is found by email: by the normalised form, as the unique index compares. An address
 * with a NUL character (from a path) matches nobody: no stored email has one, and PostgreSQL
 * would refuse it (null: no query to run).
 */
export function whereEmail(email: string): FindOptionsWhere<User> | null {
  return email.includes('\u0000') ? null : { emailNormalized: normalizeEmail(email) };
}
