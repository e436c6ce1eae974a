import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt } from 'passport-jwt';
import type { Principal } from '../../common/auth/principal.js';
import { DomainError } from '../../common/errors/domain-error.js';
import type { User } from '../users/entities/user.entity.js';
import { UsersService } from '../users/users.service.js';
import { AccessTokens } from './access-tokens.js';
import { AuthStateCache } from './auth-state-cache.js';
import { type CredentialsCarrier, RequestStrategy } from './request-strategy.js';
import { SessionsService } from './sessions.service.js';

const bearerToken = ExtractJwt.fromAuthHeaderAsBearerToken();

/**
 * `Authorization: Bearer <access token>`: the token must be valid and its login session still
 * stand; the caller is the session's user.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(RequestStrategy, 'jwt') {
  constructor(
    private readonly tokens: AccessTokens,
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly authState: AuthStateCache,
  ) {
    super('jwt');
  }

  async validate(request: CredentialsCarrier): Promise<Principal<User>> {
    const token = bearerToken(request);
    if (!token) throw new DomainError('NOT_AUTHENTICATED');
    const { sub, sid } = this.tokens.verify(token);
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
