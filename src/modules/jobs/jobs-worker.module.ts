import { Module } from '@nestjs/common';
import { PasswordResetMailModule } from '../auth/password-reset-mail.js';
import { VerificationMailModule } from '../auth/verification-mail.js';
import { RedisModule } from '../../redis/redis.module.js';
import { MailModule } from '../mail/mail.module.js';
import { bullRoot, queues } from './jobs.module.js';
import { EchoProcessor } from './processors/echo.processor.js';
import { EmailProcessor } from './processors/email.processor.js';
import { QueueErrorReporter } from './queue-error-reporter.js';

/** The job processors: imported by the worker process only, so they run nowhere else. */
@Module({
  imports: [bullRoot('worker'), queues, RedisModule, MailModule, PasswordResetMailModule, VerificationMailModule],
  providers: [EmailProcessor, EchoProcessor, QueueErrorReporter],
})
export class JobsWorkerModule {}
