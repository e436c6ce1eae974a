import { createSecretKey } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import passport from 'passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import type { Principal } from '../../common/auth/principal.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { AppConfig } from '../../config/app-config.js';
import type { User } from '../users/entities/user.entity.js';
import { UsersService } from '../users/users.service.js';
import { isAccessTokenClaims } from './access-tokens.js';
import { AuthStateCache } from './auth-state-cache.js';
import { SessionsService } from './sessions.service.js';

/**
 * Verifies the bearer token (signature, the configured algorithm only, expiry, token type) and
 * that its session still stands; the request's principal is the session's user.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    config: AppConfig,
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly authState: AuthStateCache,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // A key object made once: given the string, jsonwebtoken would first try to parse it
      // as a public key on every verification, which cost most of a warm request's time.
      // (passport-jwt's types predate key objects; it hands the key to jsonwebtoken as is.)
      secretOrKey: createSecretKey(Buffer.from(config.secretKey)) as unknown as Buffer,
      algorithms: [config.jwtAlgorithm],
      ignoreExpiration: false,
    });
  }

  /** A registry of its own: BearerAuthenticator runs this instance directly (see there why). */
  getPassportInstance() {
    return new passport.Passport();
  }

  async validate(payload: unknown): Promise<Principal<User>> {
    if (!isAccessTokenClaims(payload)) throw new DomainError('INVALID_CREDENTIALS');
    const { sub, sid } = payload;
    const state = await this.authState.get(sub, sid, async () => {
      const [user, session] = await Promise.all([this.users.findById(sub), this.sessions.findById(sid)]);
      return { user, session };
    });
    const { session } = state;
    if (!state.user) throw new DomainError('INVALID_CREDENTIALS');
    // A copy per request: handlers change the user object they are given (merge before save).
    const user = Object.assign(Object.create(Object.getPrototypeOf(state.user) as object) as User, state.user);
    // A deactivated user is told so (403) rather than "bad token", even though deactivation
    // also ended their sessions.
    if (!user.isActive) throw new DomainError('INACTIVE_USER');
    if (!this.sessions.isUsable(session, user)) throw new DomainError('INVALID_CREDENTIALS');
    return { user, sessionId: session.id };
  }
}
