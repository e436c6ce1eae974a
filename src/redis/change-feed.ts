import { Injectable, Logger, Module, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { withTimeout } from '../common/async/with-timeout.js';
import { AppConfig } from '../config/app-config.js';
import { ThrottledWarnings } from '../logging/throttled-warnings.js';
import { createRedisClient, InjectRedis, RedisModule, untilReady } from './redis.module.js';

/** A user's row changed or went (any field: activity, credentials, role, profile). */
export const USER_CHANGED = 'user';
/** A login session was ended or its credentials version moved. */
export const SESSION_CHANGED = 'session';
/** The response cache's version counters of an owner moved (`*`: the epoch, so all of them). */
export const CACHE_VERSIONS_CHANGED = 'cache-versions';
export type ChangeTopic = typeof USER_CHANGED | typeof SESSION_CHANGED | typeof CACHE_VERSIONS_CHANGED;

/** The pub/sub channel of the change feed. */
export function changeChannel(redisKeyPrefix: string): string {
  return `${redisKeyPrefix}:changes`;
}

export function changeMessage(topic: ChangeTopic, id: string): string {
  return `${topic}:${id}`;
}

type ChangeListener = (id: string) => void;

/**
 * Tells every API process that a row changed, through Redis pub/sub, so that state a process
 * keeps in memory (AuthStateCache) is dropped at once everywhere. Listeners in the publishing
 * process hear of a change before `publish` returns; other processes a moment later.
 *
 * `live` is true only while the subscription stands: a process that cannot hear changes must not
 * trust what it keeps, and `onSubscribed` listeners drop everything when it is back, since
 * changes published meanwhile were missed.
 */
@Injectable()
export class ChangeFeed implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(ChangeFeed.name);
  private readonly warnings = new ThrottledWarnings(this.logger);
  private readonly listeners = new Map<ChangeTopic, ChangeListener[]>();
  private readonly resubscribedListeners: (() => void)[] = [];
  private subscriber?: Redis;
  private subscribed = false;

  constructor(
    @InjectRedis() private readonly redis: Redis,
    private readonly config: AppConfig,
  ) {}

  get live(): boolean {
    return this.subscribed;
  }

  get channel(): string {
    return changeChannel(this.config.redisKeyPrefix);
  }

  async onModuleInit(): Promise<void> {
    const subscriber = createRedisClient(this.config.redisUrl, 'changes');
    this.subscriber = subscriber;
    subscriber.on('message', (_channel: string, message: string) => this.deliver(message));
    subscriber.on('close', () => (this.subscribed = false));
    // ioredis subscribes again by itself after a reconnect; subscribing here as well tells when
    // that has happened, which its 'ready' event does not.
    subscriber.on('ready', () => void this.subscribeChannel());
    await untilReady(subscriber, 3000);
    await this.subscribeChannel();
  }

  async onApplicationShutdown(): Promise<void> {
    this.subscribed = false;
    await this.subscriber?.quit().catch(() => this.subscriber?.disconnect());
  }

  on(topic: ChangeTopic, listener: ChangeListener): void {
    this.listeners.set(topic, [...(this.listeners.get(topic) ?? []), listener]);
  }

  /** `listener` runs whenever the subscription is (re-)established. */
  onSubscribed(listener: () => void): void {
    this.resubscribedListeners.push(listener);
  }

  /** Call after the change is committed. Never throws: a Redis outage is logged. */
  async publish(topic: ChangeTopic, id: string): Promise<void> {
    this.deliverLocally(topic, id);
    try {
      await withTimeout(
        this.redis.publish(this.channel, changeMessage(topic, id)).then(() => this.flushed()),
        this.config.cacheTimeoutMs,
        'change publish',
      );
    } catch (error) {
      this.warnings.warn(`change of ${topic} ${id} not published to other processes: ${(error as Error).message}`);
    }
  }

  /**
   * Resolves once Redis has written a published message to every subscriber's socket. Redis
   * writes the PUBLISH reply and the subscribers' messages in one pass, but a Redis descheduled
   * between those writes would let this process answer (and its client ask another process)
   * before the message left; a PING is answered only in a later pass, after all of them.
   */
  async flushed(): Promise<void> {
    await this.redis.ping();
  }

  /**
   * Tells this process's listeners only; for a change whose PUBLISH went out with the commands
   * that made it (a MULTI with `changeMessage` on `channel`).
   */
  deliverLocally(topic: ChangeTopic, id: string): void {
    this.deliver(changeMessage(topic, id));
  }

  private async subscribeChannel(): Promise<void> {
    if (!this.subscriber || this.subscriber.status !== 'ready') return;
    try {
      await this.subscriber.subscribe(this.channel);
    } catch (error) {
      this.warnings.warn(`change feed subscription failed: ${(error as Error).message}`);
      return;
    }
    if (this.subscribed) return;
    this.subscribed = true;
    for (const listener of this.resubscribedListeners) listener();
  }

  private deliver(message: string): void {
    const separator = message.indexOf(':');
    const topic = message.slice(0, separator) as ChangeTopic;
    const id = message.slice(separator + 1);
    for (const listener of this.listeners.get(topic) ?? []) listener(id);
  }
}

/** The change feed, for the modules that keep or invalidate state derived from rows. */
@Module({ imports: [RedisModule], providers: [ChangeFeed], exports: [ChangeFeed] })
export class ChangeFeedModule {}
