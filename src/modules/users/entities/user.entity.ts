import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

@Entity({ name: 'users' })
// Emails are unique case-insensitively (the index is on lower(email); see the migration).
@Index('users_email_lower_key', { synchronize: false })
export class User {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Stored as given; compared case-insensitively. */
  @Column({ type: 'varchar', length: 254 })
  email: string;

  @Column({ name: 'full_name', type: 'varchar', length: 255, nullable: true })
  fullName: string | null;

  @Column({ name: 'hashed_password', type: 'varchar', length: 255 })
  hashedPassword: string;

  @Column({ name: 'is_active', type: 'boolean', default: true })
  isActive: boolean;

  @Column({ name: 'is_superuser', type: 'boolean', default: false })
  isSuperuser: boolean;

  /**
   * Bumped whenever the user's credentials or standing change (password set, reset,
   * deactivation): login sessions record the version they were issued under and stop working
   * when it moves on.
   */
  @Column({ name: 'credentials_version', type: 'integer', default: 0 })
  credentialsVersion: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
