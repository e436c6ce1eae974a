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
