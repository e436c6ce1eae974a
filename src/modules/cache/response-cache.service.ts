import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import { AppConfig } from '../../config/app-config.js';
import { InjectRedis } from '../../redis/redis.module.js';
import { cacheEpochKey, cacheVersionKeyBase, epochBump, EVERY_SCOPE, SHARED_SCOPE } from './cache-keys.js';
import { withTimeout } from '../../common/async/with-timeout.js';
import { ThrottledWarnings } from '../../logging/throttled-warnings.js';
import { CACHE_VERSIONS_CHANGED, ChangeFeed, changeMessage } from '../../redis/change-feed.js';

const SUMMARY_INTERVAL_MS = 60_000;
/** Scopes whose versions a process keeps in memory at most; the oldest go first. */
export const KNOWN_VERSIONS_SIZE = 10_000;

/** Whose data a cached response shows: one owner's rows, or everyone's (a superuser's view). */
export type CacheScope = { kind: 'owner'; ownerId: string } | { kind: 'all' };

export interface CacheStats {
  hits: number;
  misses: number;
  errors: number;
}

/**
 * The Redis response cache. Invalidation is by version counters instead of deleting keys: a
 * cached entry's key contains the versions of the data it shows (the owner's, or everyone's for
 * a superuser's view, plus a global epoch), so bumping a counter makes every entry built from
 * older data unreachable at once, in every API process. Entries expire by TTL.
 *
 * The versions a process has read are kept in memory while the ChangeFeed is live: every bump
 * publishes a change in the same MULTI, which drops them in every process, so a cache hit
 * costs one Redis round trip.
 *
 * Every operation is bounded by CACHE_TIMEOUT_MS and fails open: Redis down or hung means a
 * miss (the route reads PostgreSQL), never an error or a hang. An invalidation that could not
 * reach Redis is made up for by bumping the epoch as soon as Redis is back, before anything is
 * read from the cache again by this process.
 */
@Injectable()
export class ResponseCache implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(ResponseCache.name);
  private readonly warnings = new ThrottledWarnings(this.logger);
  private readonly counters: CacheStats = { hits: 0, misses: 0, errors: 0 };
  private owesEpochBump = false;
  private epochRetry?: NodeJS.Timeout;
  private summary?: NodeJS.Timeout;
  private reported: CacheStats = { hits: 0, misses: 0, errors: 0 };
  private readonly onRedisReady = () => void this.settleMissedInvalidations();
  /** `<epoch>.<version>` by version key, as last read from Redis. */
  private readonly knownVersions = new LRUCache<string, string>({ max: KNOWN_VERSIONS_SIZE });
  /** Moves on at every change heard: versions read under an older value are not kept. */
  private versionsGeneration = 0;

  constructor(
    @InjectRedis() private readonly redis: Redis,
    private readonly config: AppConfig,
    private readonly changes: ChangeFeed,
  ) {
    changes.on(CACHE_VERSIONS_CHANGED, (ownerId) => this.forgetVersions(ownerId));
    changes.onSubscribed(() => this.forgetVersions(EVERY_SCOPE));
  }

  get enabled(): boolean {
    return this.config.cacheEnabled;
  }

  stats(): CacheStats {
    return { ...this.counters };
  }

  onModuleInit(): void {
    this.redis.on('ready', this.onRedisReady);
    this.summary = setInterval(() => this.logSummary(), SUMMARY_INTERVAL_MS).unref();
  }

  onModuleDestroy(): void {
    this.redis.off('ready', this.onRedisReady);
    clearInterval(this.epochRetry);
    clearInterval(this.summary);
  }

  /** One line a minute with the hits and misses since the last one (nothing when idle). */
  private logSummary(): void {
    const now = this.stats();
    const hits = now.hits - this.reported.hits;
    const misses = now.misses - this.reported.misses;
    const errors = now.errors - this.reported.errors;
    this.reported = now;
    if (hits + misses === 0) return;
    const ratio = ((hits / (hits + misses)) * 100).toFixed(1);
    this.logger.log(
      `last ${SUMMARY_INTERVAL_MS / 1000} s: ${hits} hits, ${misses} misses (${ratio}% hits), ${errors} errors`,
    );
  }

  /**
   * The key of a response in `scope`, for `caller`, at `route` (path and query). It names the
   * scope's kind, so a caller whose role changed never meets the other view's entries, even when
   * the two version counters agree (both start at 0 in an emptied Redis).
   */
  async keyFor(scope: CacheScope, caller: string, route: string): Promise<string | null> {
    if (this.owesEpochBump && !(await this.settleMissedInvalidations())) return null;
    const versions = await this.versionsOf(this.versionKey(scope));
    return versions === null ? null : `${versions}:${scope.kind}:${caller}:${route}`;
  }

  private async versionsOf(versionKey: string): Promise<string | null> {
    const known = this.knownVersions.get(versionKey);
    if (known !== undefined) return known;
    const generation = this.versionsGeneration;
    try {
      const [epoch, version] = await this.bounded(
        this.redis.mget(cacheEpochKey(this.config.redisKeyPrefix), versionKey),
        'version read',
      );
      const versions = `${epoch ?? 0}.${version ?? 0}`;
      if (this.changes.live && generation === this.versionsGeneration) {
        this.knownVersions.set(versionKey, versions);
      }
      return versions;
    } catch (error) {
      this.failed('version read', error);
      return null;
    }
  }

  private forgetVersions(ownerId: string): void {
    this.versionsGeneration++;
    if (ownerId === EVERY_SCOPE) {
      this.knownVersions.clear();
      return;
    }
    if (ownerId !== SHARED_SCOPE) this.knownVersions.delete(this.versionKey({ kind: 'owner', ownerId }));
    this.knownVersions.delete(this.versionKey({ kind: 'all' }));
  }

  /** The body stored under `key`, as sent: a hit is answered without parsing or serializing it. */
  async get(key: string): Promise<string | undefined> {
    try {
      const body = await this.bounded(this.redis.get(this.entryKey(key)), 'get');
      if (body === null) {
        this.counters.misses++;
        return undefined;
      }
      this.counters.hits++;
      return body;
    } catch (error) {
      this.counters.misses++;
      this.failed('get', error);
      return undefined;
    }
  }

  async set(key: string, body: string): Promise<void> {
    try {
      await this.bounded(this.redis.set(this.entryKey(key), body, 'PX', this.config.cacheTtlSeconds * 1000), 'set');
    } catch (error) {
      this.failed('set', error);
    }
  }

  /**
   * Makes every cached response showing `ownerId`'s data stale (theirs, and everyone's views).
   * Call after the write commits and before its response is sent.
   */
  async invalidateOwner(ownerId: string): Promise<void> {
    await this.bumpVersions(ownerId, [{ kind: 'owner', ownerId }, { kind: 'all' }]);
  }

  /**
   * Makes every cached response of data that all users see stale (routes marked
   * `@CacheResponse({ shared: true })`). Call after the write commits and before its response is sent.
   */
  async invalidateShared(): Promise<void> {
    await this.bumpVersions(SHARED_SCOPE, [{ kind: 'all' }]);
  }

  /** Bumps the scopes' versions and tells every process, `changed` naming whose data changed. */
  private async bumpVersions(changed: string, scopes: CacheScope[]): Promise<void> {
    try {
      const bump = this.redis.multi();
      for (const scope of scopes) bump.incr(this.versionKey(scope));
      await this.bounded(
        bump
          .publish(this.changes.channel, changeMessage(CACHE_VERSIONS_CHANGED, changed))
          .exec()
          .then(() => this.changes.flushed()),
        'invalidation',
      );
      this.changes.deliverLocally(CACHE_VERSIONS_CHANGED, changed);
    } catch (error) {
      this.forgetVersions(EVERY_SCOPE);
      this.owesEpochBump = true;
      // Retried until Redis answers (also when no request comes), as reconnects alone miss a
      // Redis that hung without dropping the connection.
      this.epochRetry ??= setInterval(() => void this.settleMissedInvalidations(), 500).unref();
      this.failed('invalidation', error);
    }
  }

  /** Bumps the epoch owed for invalidations that failed; true once nothing is owed. */
  private async settleMissedInvalidations(): Promise<boolean> {
    if (!this.owesEpochBump) return true;
    try {
      await this.bounded(epochBump(this.redis, this.config.redisKeyPrefix).exec(), 'epoch bump');
      this.changes.deliverLocally(CACHE_VERSIONS_CHANGED, EVERY_SCOPE);
      this.owesEpochBump = false;
      clearInterval(this.epochRetry);
      this.epochRetry = undefined;
      this.logger.log('Redis is back: cache epoch bumped for invalidations it missed');
      return true;
    } catch {
      return false;
    }
  }

  private entryKey(key: string): string {
    return `${this.config.redisKeyPrefix}:cache:${key}`;
  }

  private versionKey(scope: CacheScope): string {
    const base = cacheVersionKeyBase(this.config.redisKeyPrefix);
    return scope.kind === 'all' ? `${base}:all` : `${base}:owner:${scope.ownerId}`;
  }

  private bounded<T>(operation: Promise<T>, what: string): Promise<T> {
    return withTimeout(operation, this.config.cacheTimeoutMs, `cache ${what}`);
  }

  private failed(what: string, error: unknown): void {
    this.counters.errors++;
    this.warnings.warn(`cache ${what} skipped (failing open): ${(error as Error).message}`);
  }
}
