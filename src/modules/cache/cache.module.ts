import { Module } from '@nestjs/common';
import { ChangeFeedModule } from '../../redis/change-feed.js';
import { RedisModule } from '../../redis/redis.module.js';
import { CacheResponseInterceptor } from './cache-response.interceptor.js';
import { ResponseCache } from './response-cache.service.js';

/** The Redis response cache (ResponseCache: entries, keys, invalidation) and its interceptor. */
@Module({
  imports: [RedisModule, ChangeFeedModule],
  providers: [ResponseCache, CacheResponseInterceptor],
  exports: [ResponseCache, CacheResponseInterceptor],
})
export class CacheModule {}
