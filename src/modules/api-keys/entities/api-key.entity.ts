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
 * A named, long-lived credential of a user for machine clients. The secret itself is never
 * stored: only a keyed hash (to find the key) and its first characters (to recognise it).
 */
@Entity({ name: 'api_keys' })
// Listed per user, newest first.
@Index('api_keys_user_created_idx', ['userId', 'createdAt', 'id'])
@Index('api_keys_key_hash_key', ['keyHash'], { unique: true })
export class ApiKey {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  /** Keys go with their user (ON DELETE CASCADE). */
  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'api_keys_user_id_fkey' })
  user?: Relation<User>;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  /** The key's first characters, shown in lists so a person can tell keys apart. */
  @Column({ type: 'varchar', length: 16 })
  prefix: string;

  /** HMAC-SHA256 of the whole key (base64url). */
  @Column({ name: 'key_hash', type: 'varchar', length: 64 })
  keyHash: string;

  /** A read-only key may only read (GET, HEAD). */
  @Column({ name: 'read_only', type: 'boolean', default: false })
  readOnly: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null;

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt: Date | null;
}
