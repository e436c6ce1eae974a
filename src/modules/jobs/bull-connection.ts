import type { RedisOptions } from 'bullmq';
import { ioredisOptions } from '../../redis/redis-connection.js';

/**
 * ioredis options for BullMQ from REDIS_URL, under the app's Redis policy. Producers (the API)
 * give up a command after one retry (JobQueue also checks the connection and bounds every call,
 * to answer 503 fast); workers wait for Redis (BullMQ requires maxRetriesPerRequest: null
 * there). The offline queue stays on: BullMQ sends its first command before the connection is up.
 */
export function bullConnection(redisUrl: string, role: 'producer' | 'worker'): RedisOptions {
  return { ...ioredisOptions(redisUrl), maxRetriesPerRequest: role === 'producer' ? 1 : null };
}
