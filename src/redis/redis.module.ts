import { Inject, Injectable, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { AppConfig } from '../config/app-config.js';
import { ioredisOptions, REDIS_COMMAND_TIMEOUT_MS } from './redis-connection.js';

/**
 * The app's shared Redis connection. Commands fail at once while Redis is unreachable (no
 * offline queue) and the client keeps reconnecting in the background, so a Redis outage makes
 * callers fall back or answer 503 quickly instead of piling up requests.
 */
export function createRedisClient(url: string, name: string): Redis {
  const logger = new Logger(`Redis:${name}`);
  const client = new Redis({
    ...ioredisOptions(url),
    connectionName: name,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
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

/**
 * Waits (bounded) for the first connection, so a healthy app starts ready instead of failing
 * its first commands; a Redis that is down does not stop the start, readiness reports it.
 */
export function untilReady(client: Redis, timeoutMs: number): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      client.off('ready', done);
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    client.once('ready', done);
  });
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

@Module({
  providers: [
    {
      provide: REDIS_CLIENT,
      useFactory: async (config: AppConfig) => {
        const client = createRedisClient(config.redisUrl, 'app');
        await untilReady(client, 3000);
        return client;
      },
      inject: [AppConfig],
    },
    RedisShutdown,
  ],
  exports: [REDIS_CLIENT],
})
export class RedisModule {}
