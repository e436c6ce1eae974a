import { createHash } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { AppConfig } from '../../config/app-config.js';
import { InjectRedis } from '../../redis/redis.module.js';

/** One counter: at most `max` attempts per `windowSeconds`, counted from the first one. */
export interface AttemptLimit {
  /** What is counted, e.g. `login:email:<address>`; hashed before it reaches Redis. */
  subject: string;
  max: number;
  windowSeconds: number;
}

/**
 * Counts attempts (failed logins, recovery requests) in Redis, so limits hold across every API process. Redis trouble never
 * blocks anyone: the limiter then fails open (and says so in the log).
 */
@Injectable()
export class AttemptLimiter {
  private readonly logger = new Logger(AttemptLimiter.name);

  constructor(
    @InjectRedis() private readonly redis: Redis,
    private readonly config: AppConfig,
  ) {}

  /** Seconds until the first exhausted limit resets, or 0 when every limit has room. */
  async retryAfter(limits: AttemptLimit[]): Promise<number> {
    try {
      const pipeline = this.redis.pipeline();
      for (const limit of limits) pipeline.get(this.key(limit)).ttl(this.key(limit));
      const replies = (await pipeline.exec()) ?? [];
      let wait = 0;
      limits.forEach((limit, index) => {
        const count = Number(replies[index * 2]?.[1] ?? 0);
        const ttl = Number(replies[index * 2 + 1]?.[1] ?? -1);
        if (count >= limit.max) wait = Math.max(wait, ttl > 0 ? ttl : limit.windowSeconds);
      });
      return wait;
    } catch (error) {
      this.logger.warn(`rate limit not checked (${(error as Error).message})`);
      return 0;
    }
  }

  async record(limits: AttemptLimit[]): Promise<void> {
    try {
      const pipeline = this.redis.pipeline();
      for (const limit of limits) pipeline.incr(this.key(limit)).expire(this.key(limit), limit.windowSeconds, 'NX');
      await pipeline.exec();
    } catch (error) {
      this.logger.warn(`attempt not counted (${(error as Error).message})`);
    }
  }

  async reset(limit: AttemptLimit): Promise<void> {
    await this.redis.del(this.key(limit)).catch(() => undefined);
  }

  private key(limit: AttemptLimit): string {
    const digest = createHash('sha256').update(limit.subject).digest('base64url');
    return `${this.config.redisKeyPrefix}:attempts:${digest}`;
  }
}
