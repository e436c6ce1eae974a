import { Global, Inject, Injectable, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { AppConfig } from '../config/app-config.js';

/**
 * The app's shared Redis connection. Commands fail at once while Redis is unreachable (no
 * offline queue) and the client keeps reconnecting in the background, so a Redis outage makes
 * callers fall back or answer 503 quickly instead of piling up requests.
 */
export function createRedisClient(url: string, name: string): Redis {
  const logger = new Logger(`Redis:${name}`);
  const client = new Redis(url, {
    connectionName: name,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 1000,
    commandTimeout: 1000,
    retryStrategy: (attempt) => Math.min(attempt * 100, 2000),
  });
  let reported = false;
  client.on('error', (error: Error) => {
    if (!reported) logger.warn(`connection problem: ${error.message}`);
    reported = true;
  });
  client.on('ready', () => {
    if (reported) logger.log('connection restored');
    reported = false;
  });
  return client;
}

export const REDIS_CLIENT = Symbol('REDIS_CLIENT');
export const InjectRedis = () => Inject(REDIS_CLIENT);

@Injectable()
class RedisShutdown implements OnApplicationShutdown {
  constructor(@InjectRedis() private readonly redis: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

@Global()
@Module({
  providers: [
    {
      provide: REDIS_CLIENT,
      useFactory: (config: AppConfig) => createRedisClient(config.redisUrl, 'app'),
      inject: [AppConfig],
    },
    RedisShutdown,
  ],
  exports: [REDIS_CLIENT],
})
export class RedisModule {}
