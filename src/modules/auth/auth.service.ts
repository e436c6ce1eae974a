import { Injectable } from '@nestjs/common';
import { DomainError } from '../../common/errors/domain-error.js';
import { MessageDto } from '../../common/http/message.dto.js';
import { type AttemptLimit, AttemptLimiter } from '../../common/rate-limit/attempt-limiter.js';
import { type PasswordCheck, PasswordHasher } from '../../common/security/password-hasher.js';
import { AppConfig } from '../../config/app-config.js';
import type { User } from '../users/entities/user.entity.js';
import { UsersService } from '../users/users.service.js';
import { AccessTokens } from './access-tokens.js';
import { INCORRECT_LOGIN, InactiveUserError, InvalidCredentialsError } from './auth-errors.js';
import type { TokenResponseDto } from './dto/token-response.dto.js';
import type { UpdatePasswordDto } from './dto/update-password.dto.js';
import { type IssuedSession, SessionsService } from './sessions.service.js';

const TOO_MANY_FAILURES = 'Too many failed login attempts, please try again later';
const INCORRECT_PASSWORD = 'Incorrect password';
const SAME_PASSWORD = 'New password cannot be the same as the current one';
export const PASSWORD_UPDATED = 'Password updated successfully';

@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly accessTokens: AccessTokens,
    private readonly passwords: PasswordHasher,
    private readonly limiter: AttemptLimiter,
    private readonly config: AppConfig,
  ) {}

  /**
   * Password login. Unknown emails and wrong passwords get the same answer after the same
   * hashing work; failures count against the email and the client address.
   */
  async login(email: string, password: string, clientIp: string): Promise<TokenResponseDto> {
    const limits = this.loginLimits(email, clientIp);
    const retryAfter = await this.limiter.retryAfter(limits);
    if (retryAfter > 0) throw new DomainError(429, TOO_MANY_FAILURES, { 'Retry-After': String(retryAfter) });

    const user = await this.users.findByEmail(email);
    const check: PasswordCheck = user
      ? await this.passwords.verify(user.hashedPassword, password)
      : await this.passwords.verifyDecoy(password).then(() => ({ valid: false, needsRehash: false }));
    if (!user || !check.valid) {
      await this.limiter.record(limits);
      throw new DomainError(400, INCORRECT_LOGIN);
    }
    if (!user.isActive) throw new InactiveUserError(400);
    if (check.needsRehash) await this.users.upgradePasswordHash(user, await this.passwords.hash(password));
    await this.limiter.reset(limits[0]);
    return this.tokensFor(user, await this.sessions.start(user));
  }

  async refresh(refreshToken: string): Promise<TokenResponseDto> {
    const rotated = await this.sessions.rotate(refreshToken, (id) => this.users.findById(id));
    if (!rotated) throw new InvalidCredentialsError();
    return this.tokensFor(rotated.user, rotated.issued);
  }

  /** Ends every session of the user: their refresh and access tokens stop working. */
  async logout(user: User): Promise<void> {
    await this.sessions.revokeAllOf(user.id);
  }

  /** Changes the password; the caller's session continues, every other one ends (API keys stay). */
  async changePassword(user: User, sessionId: string, input: UpdatePasswordDto): Promise<MessageDto> {
    const { valid } = await this.passwords.verify(user.hashedPassword, input.current_password);
    if (!valid) throw new DomainError(400, INCORRECT_PASSWORD);
    if (input.current_password === input.new_password) throw new DomainError(400, SAME_PASSWORD);
    const version = await this.users.setPassword(user, input.new_password);
    await this.sessions.carryOver(sessionId, version);
    return MessageDto.of(PASSWORD_UPDATED);
  }

  private loginLimits(email: string, clientIp: string): AttemptLimit[] {
    const windowSeconds = this.config.loginFailureWindowSeconds;
    return [
      { subject: `login:email:${email.trim().toLowerCase()}`, max: this.config.loginMaxFailuresPerEmail, windowSeconds },
      { subject: `login:ip:${clientIp}`, max: this.config.loginMaxFailuresPerIp, windowSeconds },
    ];
  }

  private async tokensFor(user: User, { session, refreshToken }: IssuedSession): Promise<TokenResponseDto> {
    return {
      access_token: await this.accessTokens.sign(user.id, session.id),
      token_type: 'bearer',
      refresh_token: refreshToken,
      expires_in: this.accessTokens.lifetimeSeconds,
    };
  }
}
