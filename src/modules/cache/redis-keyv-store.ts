import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import type { KeyvStoreAdapter, StoredData } from 'keyv';

/** Keys deleted per UNLINK while clearing. */
const CLEAR_BATCH = 500;

/**
 * cache-manager's Keyv store over the app's shared ioredis connection, so that the response cache
 * reads entries and bumps its version counters through one client, under the one connection
 * policy (no offline queue: commands fail at once while Redis is down, and the cache fails open).
 * Keyv serializes the entries and prefixes the keys with its namespace.
 */
export class RedisKeyvStore extends EventEmitter implements KeyvStoreAdapter {
  readonly opts = {};
  namespace?: string;

  constructor(private readonly redis: Redis) {
    super();
  }

  async get<Value>(key: string): Promise<StoredData<Value> | undefined> {
    return ((await this.redis.get(key)) ?? undefined) as StoredData<Value> | undefined;
  }

  async set(key: string, value: string, ttlMs?: number): Promise<void> {
    if (ttlMs) await this.redis.set(key, value, 'PX', ttlMs);
    else await this.redis.set(key, value);
  }

  async delete(key: string): Promise<boolean> {
    return (await this.redis.unlink(key)) > 0;
  }

  /** Deletes the namespace's entries (all keys under it: Keyv prefixes them `<namespace>:`). */
  async clear(): Promise<void> {
    if (!this.namespace) throw new Error('RedisKeyvStore clears only a namespace');
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${this.namespace}:*`, 'COUNT', CLEAR_BATCH);
      if (keys.length > 0) await this.redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  }
}
