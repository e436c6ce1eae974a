import type { RedisOptions } from 'bullmq';

/**
 * ioredis options for BullMQ from REDIS_URL. Producers (the API) give up a command after one
 * retry (JobQueue also checks the connection and bounds every call, to answer 503 fast); workers
 * wait for Redis (BullMQ requires maxRetriesPerRequest: null there). The offline queue stays on:
 * BullMQ sends its first command before the connection is up.
 */
export function bullConnection(redisUrl: string, role: 'producer' | 'worker'): RedisOptions {
  const url = new URL(redisUrl);
  const options: RedisOptions = {
    host: url.hostname,
    port: Number(url.port || 6379),
    username: url.username ? decodeURIComponent(url.username) : undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    db: url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0,
    tls: url.protocol === 'rediss:' ? {} : undefined,
    connectTimeout: 1000,
    retryStrategy: (attempt: number) => Math.min(attempt * 100, 2000),
  };
  return role === 'producer' ? { ...options, maxRetriesPerRequest: 1 } : { ...options, maxRetriesPerRequest: null };
}
