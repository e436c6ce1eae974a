import { CacheModule as NestCacheModule } from '@nestjs/cache-manager';
import { Module } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { Keyv } from 'keyv';
import { AppConfig } from '../../config/app-config.js';
import { ChangeFeedModule } from '../../redis/change-feed.js';
import { REDIS_CLIENT, RedisModule } from '../../redis/redis.module.js';
import { CacheResponseInterceptor } from './cache-response.interceptor.js';
import { RedisKeyvStore } from './redis-keyv-store.js';
import { ResponseCache } from './response-cache.service.js';

/**
 * cache-manager 7 over a Keyv store on the shared Redis connection, wrapped by ResponseCache for
 * keys and invalidation.
 */
@Module({
  imports: [
    RedisModule,
    ChangeFeedModule,
    NestCacheModule.registerAsync({
      imports: [RedisModule],
      inject: [AppConfig, REDIS_CLIENT],
      useFactory: (config: AppConfig, redis: Redis) => ({
        stores: [new Keyv({ store: new RedisKeyvStore(redis), namespace: `${config.redisKeyPrefix}:cache` })],
        ttl: config.cacheTtlSeconds * 1000,
      }),
    }),
  ],
  providers: [ResponseCache, CacheResponseInterceptor],
  exports: [ResponseCache, CacheResponseInterceptor],
})
export class CacheModule {}
