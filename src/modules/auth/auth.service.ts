import { Injectable } from '@nestjs/common';
import { DomainError } from '../../common/errors/domain-error.js';
import { MessageDto } from '../../common/http/message.dto.js';
import { AttemptLimits, type LimitCheck } from '../../common/rate-limit/attempt-limits.js';
import { type PasswordCheck, PasswordHasher } from '../../common/security/password-hasher.js';
import { normalizeEmail } from '../../common/validation/email-address.js';
import { AppConfig } from '../../config/app-config.js';
import type { UpdateMeDto } from '../users/dto/update-me.dto.js';
import type { User } from '../users/entities/user.entity.js';
import { UsersService } from '../users/users.service.js';
import { AccessTokens } from './access-tokens.js';
import type { TokenResponseDto } from './dto/token-response.dto.js';
import type { UpdatePasswordDto } from './dto/update-password.dto.js';
import { type IssuedSession, SessionsService } from './sessions.service.js';

export const PASSWORD_UPDATED = 'Password updated successfully';

@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly accessTokens: AccessTokens,
    private readonly passwords: PasswordHasher,
    private readonly limits: AttemptLimits,
    private readonly config: AppConfig,
  ) {}

  /**
   * Password login. Unknown emails and wrong passwords get the same answer after the same
   * hashing work. Every attempt takes a slot of the email's and the client address's limits
   * before any hashing; a successful login clears the email's count and returns its address slot.
   */
  async login(email: string, password: string, clientIp: string): Promise<TokenResponseDto> {
    const [byEmail, byAddress] = this.loginLimits(email, clientIp);
    await this.limits.take([byEmail, byAddress], 'TOO_MANY_LOGIN_FAILURES');
    const { user, check } = await this.guarded([byEmail, byAddress], async () => {
      const found = await this.users.findByEmail(email);
      const result: PasswordCheck = found?.hashedPassword
        ? await this.passwords.verify(found.hashedPassword, password)
        : // An unknown email, or an account without a password (single sign-on only): the same work and answer.
          await this.passwords.verifyDecoy(password).then(() => ({ valid: false, needsRehash: false }));
      return { user: found, check: result };
    });
    if (!user || !check.valid) throw new DomainError('INCORRECT_LOGIN');
    if (!user.isActive) throw new DomainError('INACTIVE_ACCOUNT');
    // The right password: the slots go back before any further work, which an outage may fail.
    await Promise.all([this.limits.reset(byEmail), this.limits.giveBack([byAddress])]);
    if (this.config.emailVerificationRequired && !user.isVerified) throw new DomainError('EMAIL_NOT_VERIFIED');
    if (check.needsRehash) await this.users.upgradePasswordHash(user, await this.passwords.hash(password));
    return this.tokensFor(user, await this.sessions.start(user));
  }

  /**
   * A session for a user another way of signing in has proven (single sign-on): refused to an
   * inactive account, as a password login is.
   */
  async signInAs(user: User): Promise<TokenResponseDto> {
    if (!user.isActive) throw new DomainError('INACTIVE_ACCOUNT');
    return this.tokensFor(user, await this.sessions.start(user));
  }

  async refresh(refreshToken: string): Promise<TokenResponseDto> {
    const rotated = await this.sessions.rotate(refreshToken, (id) => this.users.findById(id));
    if (!rotated) throw new DomainError('INVALID_CREDENTIALS');
    return this.tokensFor(rotated.user, rotated.issued);
  }

  /** Ends every session of the user: their refresh and access tokens stop working. */
  async logout(user: User): Promise<void> {
    await this.sessions.revokeAllOf(user.id);
  }

  /**
   * Changes the password; the caller's session continues, every other one ends (API keys stay).
   * Checking the current password is limited like a login, per user and per client address, so
   * a stolen access token cannot be turned into the password by guessing; the right password
   * clears the user's count.
   */
  async changePassword(user: User, sessionId: string, input: UpdatePasswordDto, clientIp: string): Promise<MessageDto> {
    const [byUser, byAddress] = this.passwordChangeLimits(user, clientIp);
    await this.limits.take([byUser, byAddress], 'TOO_MANY_PASSWORD_FAILURES');
    const { valid } = await this.guarded([byUser, byAddress], () =>
      user.hashedPassword
        ? this.passwords.verify(user.hashedPassword, input.current_password)
        : // No password yet (single sign-on): none is right; password recovery sets the first one.
          this.passwords.verifyDecoy(input.current_password).then(() => ({ valid: false })),
    );
    if (!valid) throw new DomainError('INCORRECT_PASSWORD');
    await Promise.all([this.limits.reset(byUser), this.limits.giveBack([byAddress])]);
    if (input.current_password === input.new_password) throw new DomainError('SAME_PASSWORD');
    const version = await this.users.setPassword(user, input.new_password);
    await this.sessions.carryOver(sessionId, version);
    return MessageDto.of(PASSWORD_UPDATED);
  }

  /** Updates the caller's profile; a new email ends their other sessions, as a new password does. */
  async updateProfile(user: User, sessionId: string, input: UpdateMeDto): Promise<User> {
    const versionBefore = user.credentialsVersion;
    const updated = await this.users.updateMe(user, input);
    if (updated.credentialsVersion !== versionBefore)
      await this.sessions.carryOver(sessionId, updated.credentialsVersion);
    return updated;
  }

  /**
   * Runs the work a limit slot was taken for; a failure that is not the attempt's own answer
   * (the database is down) gives the slots back, so an outage does not lock anyone out.
   */
  private async guarded<T>(checks: LimitCheck[], work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      await this.limits.giveBack(checks);
      throw error;
    }
  }

  private loginLimits(email: string, clientIp: string): [LimitCheck, LimitCheck] {
    const durationSeconds = this.config.loginFailureWindowSeconds;
    return [
      {
        rule: { name: 'login-email', points: this.config.loginMaxFailuresPerEmail, durationSeconds },
        subject: normalizeEmail(email),
      },
      { rule: { name: 'login-ip', points: this.config.loginMaxFailuresPerIp, durationSeconds }, subject: clientIp },
    ];
  }

  /** The login limits' numbers, counted apart from logins: per user instead of per email. */
  private passwordChangeLimits(user: User, clientIp: string): [LimitCheck, LimitCheck] {
    const durationSeconds = this.config.loginFailureWindowSeconds;
    return [
      {
        rule: { name: 'password-change-user', points: this.config.loginMaxFailuresPerEmail, durationSeconds },
        subject: user.id,
      },
      {
        rule: { name: 'password-change-ip', points: this.config.loginMaxFailuresPerIp, durationSeconds },
        subject: clientIp,
      },
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
