import type { ChainableCommander, Redis } from 'ioredis';
import { CACHE_VERSIONS_CHANGED, changeChannel, changeMessage } from '../../redis/change-feed.js';

/** The Redis keys of the response cache's version counters (see ResponseCache). */
export function cacheVersionKeyBase(redisKeyPrefix: string): string {
  return `${redisKeyPrefix}:cache-version`;
}

/**
 * The global epoch: bumping it makes every cached response unreachable at once (also done by
 * `npm run db:restore`, whose data no cached response shows).
 */
export function cacheEpochKey(redisKeyPrefix: string): string {
  return `${cacheVersionKeyBase(redisKeyPrefix)}:epoch`;
}

/** The id of a CACHE_VERSIONS_CHANGED message about the epoch, which covers every scope. */
export const EVERY_SCOPE = '*';

/** The id of a CACHE_VERSIONS_CHANGED message about data every user sees (the version of all rows only). */
export const SHARED_SCOPE = 'shared';

/** The epoch bump, with the change message that makes API processes drop the versions they keep. */
export function epochBump(redis: Redis, redisKeyPrefix: string): ChainableCommander {
  return redis
    .multi()
    .incr(cacheEpochKey(redisKeyPrefix))
    .publish(changeChannel(redisKeyPrefix), changeMessage(CACHE_VERSIONS_CHANGED, EVERY_SCOPE));
}
