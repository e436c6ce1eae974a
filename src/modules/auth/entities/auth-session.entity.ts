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
 * One login: the access and refresh tokens issued from it name it. The refresh secret is stored
 * only as a hash and changes on every refresh; a session ends by revocation, by expiry, or when
 * the user's credentials version moves past the one it was issued under.
 */
@Entity({ name: 'auth_sessions' })
@Index('auth_sessions_user_id_idx', ['userId'])
export class AuthSession {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  /** Sessions go with their user (ON DELETE CASCADE). */
  @ManyToOne(() => User, { onDelete: 'CASCADE', createForeignKeyConstraints: true })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'auth_sessions_user_id_fkey' })
  user?: Relation<User>;

  /** SHA-256 of the current refresh secret (base64url). */
  @Column({ name: 'refresh_token_hash', type: 'varchar', length: 64 })
  refreshTokenHash: string;

  /**
   * Hashes of the secrets this session has already rotated past (the newest ones, see
   * SessionsService): presenting one of them again means a refresh token leaked.
   */
  @Column({ name: 'used_refresh_token_hashes', type: 'text', array: true, default: () => "'{}'", select: false })
  usedRefreshTokenHashes?: string[];

  @Column({ name: 'credentials_version', type: 'integer' })
  credentialsVersion: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'refreshed_at', type: 'timestamptz', nullable: true })
  refreshedAt: Date | null;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;
}
