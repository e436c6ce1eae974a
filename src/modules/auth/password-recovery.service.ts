import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { DomainError } from '../../common/errors/domain-error.js';
import { MessageDto } from '../../common/http/message.dto.js';
import { AttemptLimits, type LimitCheck } from '../../common/rate-limit/attempt-limits.js';
import { normalizeEmail } from '../../common/validation/email-address.js';
import { AppConfig } from '../../config/app-config.js';
import { JobQueue } from '../jobs/job-queue.service.js';
import { type EmailTemplate, renderEmail } from '../mail/templates.js';
import type { User } from '../users/entities/user.entity.js';
import { UsersService } from '../users/users.service.js';
import { INACTIVE_USER } from './auth-errors.js';
import { PASSWORD_UPDATED } from './auth.service.js';

const RESET_TOKEN_TYPE = 'password-reset';
const RECOVERY_SENT = 'If that email is registered, we sent a password recovery link';
const INVALID_TOKEN = 'Invalid token';
const NO_SUCH_USERNAME = 'The user with this username does not exist in the system.';
const TOO_MANY_REQUESTS = 'Too many password recovery requests, please try again later';

interface ResetClaims {
  sub: string;
  typ: typeof RESET_TOKEN_TYPE;
  /** The user's credentials version when the token was made: any change voids the token. */
  ver: number;
  exp: number;
}

/**
 * Password recovery by email. The reset token is a signed, expiring JWT bound to the user's
 * credentials version, so it works once: the reset itself moves the version on (and ends every
 * session), as does any other password or email change in between.
 */
@Injectable()
export class PasswordRecoveryService implements OnApplicationShutdown {
  private readonly logger = new Logger(PasswordRecoveryService.name);
  /** Reset emails being looked up and queued after their request was answered. */
  private readonly queueing = new Set<Promise<void>>();

  constructor(
    private readonly users: UsersService,
    private readonly jobs: JobQueue,
    private readonly jwt: JwtService,
    private readonly limits: AttemptLimits,
    private readonly config: AppConfig,
  ) {}

  /**
   * Same answer, after the same work, whether or not the email is registered: the request takes
   * its limit slots and checks the queue (an outage must not tell registered emails apart
   * either), then is answered; the user is looked up and the email queued after that.
   */
  async requestReset(email: string, clientIp: string, requestId: string): Promise<MessageDto> {
    await this.limits.take(this.recoveryLimits(email, clientIp), TOO_MANY_REQUESTS);
    await this.jobs.ensureAvailable();
    const queued = this.queueResetEmail(email, requestId).finally(() => this.queueing.delete(queued));
    this.queueing.add(queued);
    return MessageDto.of(RECOVERY_SENT);
  }

  /** A stopping API finishes queueing the emails it has already promised. */
  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.queueing]);
  }

  private async queueResetEmail(email: string, requestId: string): Promise<void> {
    try {
      const user = await this.users.findByEmail(email);
      if (user) await this.jobs.sendEmail({ to: user.email, content: await this.resetEmail(user), requestId });
    } catch (error) {
      this.logger.error(`reset email not queued [request ${requestId}]: ${(error as Error).message}`);
    }
  }

  /** The contract's order: unreadable token or unknown user, then an inactive user, then a spent token. */
  async resetPassword(token: string, newPassword: string): Promise<MessageDto> {
    const claims = await this.verify(token);
    const user = claims ? await this.users.findById(claims.sub) : null;
    if (!claims || !user) throw new DomainError(400, INVALID_TOKEN);
    if (!user.isActive) throw new DomainError(400, INACTIVE_USER);
    if (user.credentialsVersion !== claims.ver) throw new DomainError(400, INVALID_TOKEN);
    if (!(await this.users.resetPassword(user, newPassword, claims.ver))) throw new DomainError(400, INVALID_TOKEN);
    return MessageDto.of(PASSWORD_UPDATED);
  }

  /** The reset email as the user would receive it (for superusers checking the template). */
  async previewResetEmail(email: string): Promise<string> {
    const user = await this.users.findByEmail(email);
    if (!user) throw new DomainError(404, NO_SUCH_USERNAME);
    return renderEmail(await this.resetEmail(user)).html;
  }

  private async resetEmail(user: User): Promise<EmailTemplate> {
    const claims: Omit<ResetClaims, 'exp'> = { sub: user.id, typ: RESET_TOKEN_TYPE, ver: user.credentialsVersion };
    const token = await this.jwt.signAsync(claims, { expiresIn: this.config.emailResetTokenExpireHours * 3600 });
    return {
      template: 'password-reset',
      projectName: this.config.projectName,
      email: user.email,
      resetLink: `${this.config.frontendHost}/reset-password?token=${encodeURIComponent(token)}`,
      validHours: this.config.emailResetTokenExpireHours,
    };
  }

  private async verify(token: string): Promise<ResetClaims | null> {
    try {
      const claims = await this.jwt.verifyAsync<Partial<ResetClaims>>(token);
      // jsonwebtoken checks `exp` only when a token has one: a token without it would never expire.
      const valid = claims.typ === RESET_TOKEN_TYPE && typeof claims.sub === 'string' && typeof claims.ver === 'number' && typeof claims.exp === 'number';
      return valid ? (claims as ResetClaims) : null;
    } catch {
      return null;
    }
  }

  private recoveryLimits(email: string, clientIp: string): LimitCheck[] {
    const durationSeconds = this.config.recoveryWindowSeconds;
    return [
      { rule: { name: 'recovery-email', points: this.config.recoveryMaxPerEmail, durationSeconds }, subject: normalizeEmail(email) },
      { rule: { name: 'recovery-ip', points: this.config.recoveryMaxPerIp, durationSeconds }, subject: clientIp },
    ];
  }
}
