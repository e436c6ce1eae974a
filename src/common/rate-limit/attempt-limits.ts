import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { AppConfig } from '../../config/app-config.js';
import { InjectRedis } from '../../redis/redis.module.js';
import { DomainError, type DomainErrorCode } from '../errors/domain-error.js';

/** One kind of attempt: at most `points` of them per `durationSeconds` for one subject. */
export interface LimitRule {
  /** Names the counter in Redis, e.g. `login-email`; rules with different purposes differ. */
  name: string;
  points: number;
  durationSeconds: number;
}

/** A rule applied to one subject (an email, a client address, a user id). */
export interface LimitCheck {
  rule: LimitRule;
  subject: string;
}

/**
 * Attempt limits shared by every API process, on rate-limiter-flexible: a slot is consumed
 * atomically in Redis (one Lua script) *before* the work it protects, so a burst of parallel
 * requests cannot all pass a check made before any of them is counted. While Redis is down or
 * slow, each process counts on its own in memory (the library's insurance limiter): the limits
 * then hold per process instead of across them, and nobody is locked out by the outage.
 */
@Injectable()
export class AttemptLimits {
  private readonly limiters = new Map<string, RateLimiterRedis>();

  constructor(
    @InjectRedis() private readonly redis: Redis,
    private readonly config: AppConfig,
  ) {}

  /**
   * Takes one slot from every check. When any of them is exhausted, the slots just taken are
   * given back and the caller gets `refusal` (a 429) with the seconds until the exhausted limit
   * resets, whatever the request would have done.
   */
  async take(checks: LimitCheck[], refusal: DomainErrorCode): Promise<void> {
    const results = await Promise.allSettled(checks.map((check) => this.limiter(check.rule).consume(this.key(check))));
    const refused = results.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
    if (refused.length === 0) return;
    await this.giveBack(checks.filter((_, index) => results[index].status === 'fulfilled'));
    const waitMs = Math.max(
      ...refused.map((reason) => (reason instanceof RateLimiterRes ? reason.msBeforeNext : 1000)),
    );
    throw new DomainError(refusal, { retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) });
  }

  /** Returns one slot to each check: the attempt succeeded, or never reached the guarded work. */
  async giveBack(checks: LimitCheck[]): Promise<void> {
    await Promise.allSettled(checks.map((check) => this.limiter(check.rule).reward(this.key(check))));
  }

  /** Clears a subject's count (a correct password proves the owner is the one trying). */
  async reset(check: LimitCheck): Promise<void> {
    await this.limiter(check.rule)
      .delete(this.key(check))
      .catch(() => undefined);
  }

  private limiter(rule: LimitRule): RateLimiterRedis {
    const id = `${rule.name}:${rule.points}:${rule.durationSeconds}`;
    let limiter = this.limiters.get(id);
    if (!limiter) {
      limiter = new RateLimiterRedis({
        storeClient: this.redis,
        keyPrefix: `${this.config.redisKeyPrefix}:limit:${rule.name}`,
        points: rule.points,
        duration: rule.durationSeconds,
        // Straight to the in-memory limiter while the connection is down, not after a timeout.
        rejectIfRedisNotReady: true,
        insuranceLimiter: new RateLimiterMemory({ points: rule.points, duration: rule.durationSeconds }),
      });
      this.limiters.set(id, limiter);
    }
    return limiter;
  }

  /** Subjects are hashed: Redis holds no email addresses. */
  private key(check: LimitCheck): string {
    return createHash('sha256').update(check.subject).digest('base64url');
  }
}
