import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { DomainError } from '../../common/errors/domain-error.js';
import { MessageDto } from '../../common/http/message.dto.js';
import { AttemptLimits, type LimitCheck } from '../../common/rate-limit/attempt-limits.js';
import { AppConfig } from '../../config/app-config.js';
import { JobQueue } from '../jobs/job-queue.service.js';
import type { User } from '../users/entities/user.entity.js';
import { UsersService } from '../users/users.service.js';
import { readPurposeToken } from './purpose-token.js';
import { VERIFY_TOKEN_TYPE, type VerifyClaims } from './verification-mail.js';

export const EMAIL_VERIFIED = 'Email verified';
export const VERIFICATION_SENT = 'Verification email sent';

/**
 * Verification of users' addresses. The link's token is a signed, expiring JWT naming the user and
 * the address it went to; it works while that user is unverified at that address, so once.
 */
@Injectable()
export class EmailVerificationService {
  constructor(
    private readonly users: UsersService,
    private readonly jobs: JobQueue,
    private readonly jwt: JwtService,
    private readonly limits: AttemptLimits,
    private readonly config: AppConfig,
  ) {}

  /** Queues a new verification email, limited per user and per client address as recovery is. */
  async resend(user: User, clientIp: string): Promise<MessageDto> {
    if (user.isVerified) throw new DomainError('EMAIL_ALREADY_VERIFIED');
    const limits = this.resendLimits(user, clientIp);
    await this.limits.take(limits, 'TOO_MANY_VERIFICATION_REQUESTS');
    try {
      await this.jobs.requestEmailVerification({ userId: user.id });
    } catch (error) {
      // Nothing was queued (the queue is down, 503): the request does not count.
      await this.limits.giveBack(limits);
      throw error;
    }
    return MessageDto.of(VERIFICATION_SENT);
  }

  async verify(token: string): Promise<MessageDto> {
    const claims = await this.read(token);
    if (!claims || !(await this.users.markVerified(claims.sub, claims.email))) throw new DomainError('INVALID_TOKEN');
    return MessageDto.of(EMAIL_VERIFIED);
  }

  private read(token: string): Promise<VerifyClaims | null> {
    return readPurposeToken<VerifyClaims>(
      this.jwt,
      token,
      VERIFY_TOKEN_TYPE,
      (claims) => typeof claims.sub === 'string' && typeof claims.email === 'string',
    );
  }

  private resendLimits(user: User, clientIp: string): LimitCheck[] {
    const durationSeconds = this.config.recoveryWindowSeconds;
    return [
      {
        rule: { name: 'verification-user', points: this.config.recoveryMaxPerEmail, durationSeconds },
        subject: user.id,
      },
      { rule: { name: 'verification-ip', points: this.config.recoveryMaxPerIp, durationSeconds }, subject: clientIp },
    ];
  }
}
