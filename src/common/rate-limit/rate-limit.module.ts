import { Module } from '@nestjs/common';
import { RedisModule } from '../../redis/redis.module.js';
import { AttemptLimits } from './attempt-limits.js';

/** Attempt limits kept in Redis, shared by every API process. */
@Module({ imports: [RedisModule], providers: [AttemptLimits], exports: [AttemptLimits] })
export class RateLimitModule {}
