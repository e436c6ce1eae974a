import { Processor } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { AppConfig } from '../../../config/app-config.js';
import { InjectRedis } from '../../../redis/redis.module.js';
import { PasswordResetMail } from '../../auth/password-reset-mail.js';
import { VerificationMail } from '../../auth/verification-mail.js';
import { MailService } from '../../mail/mail.service.js';
import {
  EMAIL_QUEUE,
  EMAIL_VERIFICATION_JOB,
  type EmailVerificationJob,
  PASSWORD_RESET_JOB,
  type PasswordResetJob,
  type SendEmailJob,
} from '../queues.js';

type EmailJob = SendEmailJob | PasswordResetJob | EmailVerificationJob;
import { InJobContext, ObservedWorkerHost } from './observed-worker-host.js';
import { workerOptions } from './worker-options.js';

const SENT_MARK_TTL_SECONDS = 7 * 24 * 3600;

/**
 * Sends queued emails, the reset email of a recovery request when its address has an account,
 * and the verification email of a user still unverified. A job retried after its worker died may have sent its email already: a mark per job
 * id, written after the send, stops a second send of the same job.
 */
@Processor(EMAIL_QUEUE, workerOptions())
export class EmailProcessor extends ObservedWorkerHost {
  constructor(
    private readonly mail: MailService,
    private readonly resetMail: PasswordResetMail,
    private readonly verificationMail: VerificationMail,
    @InjectRedis() private readonly redis: Redis,
    private readonly config: AppConfig,
  ) {
    super();
  }

  @InJobContext<EmailJob>()
  async process(job: Job<EmailJob>): Promise<{ messageId: string | null; duplicate: boolean }> {
    const mark = `${this.config.redisKeyPrefix}:email-sent:${job.id}`;
    const context = `job ${job.id} (${job.name})`;
    const alreadySent = await this.redis.get(mark);
    if (alreadySent !== null) {
      this.logger.log(`${context}: already sent as ${alreadySent}, not sending again`);
      return { messageId: alreadySent, duplicate: true };
    }
    const email = await this.compose(job);
    if (!email) {
      const reason =
        job.name === EMAIL_VERIFICATION_JOB ? 'the user is gone or already verified' : 'no account has that address';
      this.logger.log(`${context}: ${reason}, nothing sent`);
      return { messageId: null, duplicate: false };
    }
    const messageId = await this.mail.send({
      to: email.to,
      content: email.content,
      messageId: `<${job.id}@${this.messageDomain()}>`,
    });
    await this.redis.set(mark, messageId, 'EX', SENT_MARK_TTL_SECONDS);
    this.logger.log(`${context}: sent to ${email.to}`);
    return { messageId, duplicate: false };
  }

  private compose(job: Job<EmailJob>): Promise<SendEmailJob | null> {
    if (job.name === PASSWORD_RESET_JOB) return this.resetMail.compose((job.data as PasswordResetJob).email);
    if (job.name === EMAIL_VERIFICATION_JOB)
      return this.verificationMail.compose((job.data as EmailVerificationJob).userId);
    return Promise.resolve(job.data as SendEmailJob);
  }

  private messageDomain(): string {
    return this.config.smtp.fromEmail?.split('@')[1] ?? 'localhost';
  }
}
