import { CacheModule as NestCacheModule } from '@nestjs/cache-manager';
import { Module } from '@nestjs/common';
import KeyvRedis, { Keyv } from '@keyv/redis';
import { AppConfig } from '../../config/app-config.js';
import { ChangeFeedModule } from '../../redis/change-feed.js';
import { reconnectDelayMs, REDIS_CONNECT_TIMEOUT_MS } from '../../redis/redis-connection.js';
import { RedisModule } from '../../redis/redis.module.js';
import { CacheResponseInterceptor } from './cache-response.interceptor.js';
import { ResponseCache } from './response-cache.service.js';

/**
 * cache-manager 7 over the Keyv Redis store (its own connection, no offline queue, so commands
 * fail at once while Redis is unreachable), wrapped by ResponseCache for keys and invalidation.
 */
@Module({
  imports: [
    RedisModule,
    ChangeFeedModule,
    NestCacheModule.registerAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        stores: [
          new Keyv({
            store: new KeyvRedis(
              {
                url: config.redisUrl,
                disableOfflineQueue: true,
                socket: { connectTimeout: REDIS_CONNECT_TIMEOUT_MS, reconnectStrategy: reconnectDelayMs },
              },
              { throwOnConnectError: false, connectionTimeout: REDIS_CONNECT_TIMEOUT_MS },
            ),
            namespace: `${config.redisKeyPrefix}:cache`,
            useKeyPrefix: false,
          }),
        ],
        ttl: config.cacheTtlSeconds * 1000,
      }),
    }),
  ],
  providers: [ResponseCache, CacheResponseInterceptor],
  exports: [ResponseCache, CacheResponseInterceptor],
})
export class CacheModule {}
