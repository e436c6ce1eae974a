import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { DomainError } from '../../common/errors/domain-error.js';
import { MessageDto } from '../../common/http/message.dto.js';
import { AttemptLimits, type LimitCheck } from '../../common/rate-limit/attempt-limits.js';
import { normalizeEmail } from '../../common/validation/email-address.js';
import { AppConfig } from '../../config/app-config.js';
import { JobQueue } from '../jobs/job-queue.service.js';
import { renderEmail } from '../mail/templates.js';
import { UsersService } from '../users/users.service.js';
import { PASSWORD_UPDATED } from './auth.service.js';
import { readPurposeToken } from './purpose-token.js';
import { PasswordResetMail, RESET_TOKEN_TYPE, type ResetClaims } from './password-reset-mail.js';

const RECOVERY_SENT = 'If that email is registered, we sent a password recovery link';

/**
 * Password recovery by email. The reset token is a signed, expiring JWT bound to the user's
 * credentials version, so it works once: the reset itself moves the version on (and ends every
 * session), as does any other password or email change in between.
 */
@Injectable()
export class PasswordRecoveryService {
  constructor(
    private readonly users: UsersService,
    private readonly jobs: JobQueue,
    private readonly jwt: JwtService,
    private readonly limits: AttemptLimits,
    private readonly resetMail: PasswordResetMail,
    private readonly config: AppConfig,
  ) {}

  /**
   * Same answer, after the same work, whether or not the email is registered: the request takes
   * its limit slots and queues a recovery job; the worker looks the address up and writes the
   * email only for an account, out of this process, where its time cannot be seen.
   */
  async requestReset(email: string, clientIp: string): Promise<MessageDto> {
    const limits = this.recoveryLimits(email, clientIp);
    await this.limits.take(limits, 'TOO_MANY_RECOVERY_REQUESTS');
    try {
      await this.jobs.requestPasswordReset({ email });
    } catch (error) {
      // Nothing was queued (the queue is down, 503): the attempt does not count.
      await this.limits.giveBack(limits);
      throw error;
    }
    return MessageDto.of(RECOVERY_SENT);
  }

  /** The contract's order: unreadable token or unknown user, then an inactive user, then a spent token. */
  async resetPassword(token: string, newPassword: string): Promise<MessageDto> {
    const claims = await this.verify(token);
    const user = claims ? await this.users.findById(claims.sub) : null;
    if (!claims || !user) throw new DomainError('INVALID_TOKEN');
    if (!user.isActive) throw new DomainError('INACTIVE_ACCOUNT');
    if (user.credentialsVersion !== claims.ver) throw new DomainError('INVALID_TOKEN');
    if (!(await this.users.resetPassword(user, newPassword, claims.ver))) throw new DomainError('INVALID_TOKEN');
    return MessageDto.of(PASSWORD_UPDATED);
  }

  /** The reset email as the user would receive it (for superusers checking the template). */
  async previewResetEmail(email: string): Promise<string> {
    const composed = await this.resetMail.compose(email);
    if (!composed) throw new DomainError('NO_SUCH_USERNAME');
    return renderEmail(composed.content).html;
  }

  private verify(token: string): Promise<ResetClaims | null> {
    return readPurposeToken<ResetClaims>(
      this.jwt,
      token,
      RESET_TOKEN_TYPE,
      (claims) => typeof claims.sub === 'string' && typeof claims.ver === 'number',
    );
  }

  private recoveryLimits(email: string, clientIp: string): LimitCheck[] {
    const durationSeconds = this.config.recoveryWindowSeconds;
    return [
      {
        rule: { name: 'recovery-email', points: this.config.recoveryMaxPerEmail, durationSeconds },
        subject: normalizeEmail(email),
      },
      { rule: { name: 'recovery-ip', points: this.config.recoveryMaxPerIp, durationSeconds }, subject: clientIp },
    ];
  }
}
