import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, type Repository } from 'typeorm';
import { hashSecret, newSecret, sameHash } from '../../common/security/secrets.js';
import { UUID_PATTERN } from '../../common/validation/uuid-param.pipe.js';
import { AppConfig } from '../../config/app-config.js';
import type { User } from '../users/entities/user.entity.js';
import { AuthSession } from './entities/auth-session.entity.js';
import { SessionWrites } from './session-writes.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Earlier secrets a session remembers to recognise reuse: about two days of 30-minute refreshes. */
export const REMEMBERED_SECRETS = 100;

export interface IssuedSession {
  session: AuthSession;
  /** `<session id>.<secret>`: given to the client once, stored only as a hash. */
  refreshToken: string;
}

@Injectable()
export class SessionsService {
  constructor(
    @InjectRepository(AuthSession) private readonly sessions: Repository<AuthSession>,
    private readonly config: AppConfig,
    private readonly writes: SessionWrites,
  ) {}

  async start(user: User): Promise<IssuedSession> {
    const secret = newSecret();
    const session = await this.writes.create(() =>
      this.sessions.save(
        this.sessions.create({
          userId: user.id,
          refreshTokenHash: hashSecret(secret),
          credentialsVersion: user.credentialsVersion,
          expiresAt: new Date(Date.now() + this.config.refreshTokenExpireDays * DAY_MS),
          refreshedAt: null,
          revokedAt: null,
        }),
      ),
    );
    return { session, refreshToken: `${session.id}.${secret}` };
  }

  findById(id: string): Promise<AuthSession | null> {
    return this.sessions.findOneBy({ id });
  }

  /** Whether a session still admits tokens for `user`. */
  isUsable(session: AuthSession | null, user: User): session is AuthSession {
    return (
      session !== null &&
      session.userId === user.id &&
      session.revokedAt === null &&
      session.expiresAt.getTime() > Date.now() &&
      session.credentialsVersion === user.credentialsVersion
    );
  }

  /**
   * Exchanges a refresh token for a new one (rotation). A token that presents a secret the
   * session has already rotated past was used before: it leaked, so the whole session is
   * revoked. Any other mismatch is a guess and only fails, or anyone who knows a session id
   * (it is in every access token) could end that session. Returns null whenever the token
   * cannot be honoured.
   */
  async rotate(
    refreshToken: string,
    loadUser: (id: string) => Promise<User | null>,
  ): Promise<{ issued: IssuedSession; user: User } | null> {
    const [sessionId, secret, extra] = refreshToken.split('.');
    if (!sessionId || !secret || extra !== undefined || !UUID_PATTERN.test(sessionId)) return null;
    const session = await this.findById(sessionId);
    if (!session || session.revokedAt !== null) return null;
    const presented = hashSecret(secret);
    if (!sameHash(session.refreshTokenHash, presented)) {
      if (await this.wasRotatedPast(session.id, presented)) await this.revoke(session.id);
      return null;
    }
    const user = await loadUser(session.userId);
    if (!user || !user.isActive || !this.isUsable(session, user)) return null;

    const next = newSecret();
    // Compare-and-set: of two concurrent refreshes with one token, only one wins; the other
    // finds the secret changed and is treated as a reuse. The replaced hash joins the used
    // ones, of which the newest REMEMBERED_SECRETS are kept.
    const result = await this.writes.rotateSecret(() =>
      this.sessions
        .createQueryBuilder()
        .update()
        .set({
          refreshTokenHash: hashSecret(next),
          refreshedAt: new Date(),
          usedRefreshTokenHashes: () =>
            `(array_append(used_refresh_token_hashes, :replaced))[greatest(cardinality(used_refresh_token_hashes) + 2 - ${REMEMBERED_SECRETS}, 1):]`,
        })
        .where({ id: session.id, refreshTokenHash: session.refreshTokenHash, revokedAt: IsNull() })
        .setParameter('replaced', session.refreshTokenHash)
        .execute(),
    );
    if (!result.affected) {
      await this.revoke(session.id);
      return null;
    }
    return { issued: { session, refreshToken: `${session.id}.${next}` }, user };
  }

  private async wasRotatedPast(sessionId: string, secretHash: string): Promise<boolean> {
    return this.sessions
      .createQueryBuilder('session')
      .where('session.id = :sessionId AND :secretHash = ANY(session.usedRefreshTokenHashes)', { sessionId, secretHash })
      .getExists();
  }

  /** Keeps `sessionId` alive across a credentials change (the caller of a password change). */
  async carryOver(sessionId: string, credentialsVersion: number): Promise<void> {
    await this.writes.change(sessionId, () =>
      this.sessions.update({ id: sessionId, revokedAt: IsNull() }, { credentialsVersion }),
    );
  }

  async revoke(sessionId: string): Promise<void> {
    await this.writes.change(sessionId, () =>
      this.sessions.update({ id: sessionId, revokedAt: IsNull() }, { revokedAt: new Date() }),
    );
  }

  async revokeAllOf(userId: string): Promise<void> {
    await this.writes.changeAllOf(userId, () =>
      this.sessions.update({ userId, revokedAt: IsNull() }, { revokedAt: new Date() }),
    );
  }
}
