import { Processor } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { AppConfig } from '../../../config/app-config.js';
import { InjectRedis } from '../../../redis/redis.module.js';
import { MailService } from '../../mail/mail.service.js';
import { EMAIL_QUEUE, type SendEmailJob } from '../queues.js';
import { ObservedWorkerHost } from './observed-worker-host.js';
import { workerOptions } from './worker-options.js';

const SENT_MARK_TTL_SECONDS = 7 * 24 * 3600;

/**
 * Sends queued emails. A job retried after its worker died may have sent its email already:
 * a mark per job id, written after the send, stops a second send of the same job.
 */
@Processor(EMAIL_QUEUE, workerOptions())
export class EmailProcessor extends ObservedWorkerHost {
  constructor(
    private readonly mail: MailService,
    @InjectRedis() private readonly redis: Redis,
    private readonly config: AppConfig,
  ) {
    super();
  }

  async process(job: Job<SendEmailJob>): Promise<{ messageId: string | null; duplicate: boolean }> {
    const mark = `${this.config.redisKeyPrefix}:email-sent:${job.id}`;
    const context = `job ${job.id} (${job.name}) request ${job.data.requestId ?? '-'}`;
    const alreadySent = await this.redis.get(mark);
    if (alreadySent !== null) {
      this.logger.log(`${context}: already sent as ${alreadySent}, not sending again`);
      return { messageId: alreadySent, duplicate: true };
    }
    const messageId = await this.mail.send({ to: job.data.to, content: job.data.content, messageId: `<${job.id}@${this.messageDomain()}>` });
    await this.redis.set(mark, messageId, 'EX', SENT_MARK_TTL_SECONDS);
    this.logger.log(`${context}: sent to ${job.data.to}`);
    return { messageId, duplicate: false };
  }

  private messageDomain(): string {
    return this.config.smtp.fromEmail?.split('@')[1] ?? 'localhost';
  }
}
