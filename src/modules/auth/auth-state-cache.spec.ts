import type { AppConfig } from '../../config/app-config.js';
import { type ChangeFeed, type ChangeTopic, SESSION_CHANGED, USER_CHANGED } from '../../redis/change-feed.js';
import type { User } from '../users/entities/user.entity.js';
import { AUTH_STATE_CACHE_SIZE, type AuthState, AuthStateCache } from './auth-state-cache.js';
import type { AuthSession } from './entities/auth-session.entity.js';

/** The ChangeFeed's side that the cache uses; the real one is exercised by the e2e tests. */
class FeedStub {
  live = true;
  private readonly listeners = new Map<ChangeTopic, ((id: string) => void)[]>();
  private subscribed: (() => void)[] = [];

  on(topic: ChangeTopic, listener: (id: string) => void): void {
    this.listeners.set(topic, [...(this.listeners.get(topic) ?? []), listener]);
  }

  onSubscribed(listener: () => void): void {
    this.subscribed.push(listener);
  }

  emit(topic: ChangeTopic, id: string): void {
    for (const listener of this.listeners.get(topic) ?? []) listener(id);
  }

  resubscribe(): void {
    for (const listener of this.subscribed) listener();
  }
}

const state = (userId: string, sessionId: string): AuthState => ({
  user: { id: userId } as User,
  session: { id: sessionId, userId } as AuthSession,
});

describe(AuthStateCache.name, () => {
  let feed: FeedStub;
  let cache: AuthStateCache;
  let reads: number;
  const read = (userId: string, sessionId: string) => () => {
    reads++;
    return Promise.resolve(state(userId, sessionId));
  };

  const build = (authCacheTtlSeconds = 60) => {
    feed = new FeedStub();
    cache = new AuthStateCache(feed as unknown as ChangeFeed, { authCacheTtlSeconds } as AppConfig);
    reads = 0;
  };
  beforeEach(() => build());

  it('reads a session once, then answers from memory', async () => {
    expect(await cache.get('u1', 's1', read('u1', 's1'))).toEqual(state('u1', 's1'));
    expect(await cache.get('u1', 's1', read('u1', 's1'))).toEqual(state('u1', 's1'));
    expect(reads).toBe(1);
  });

  it('hears a change that arrived with the request before answering from memory', async () => {
    await cache.get('u1', 's1', read('u1', 's1'));
    // Already due when the request is read, like a message waiting on the feed's socket.
    setImmediate(() => feed.emit(USER_CHANGED, 'u1'));
    await cache.get('u1', 's1', read('u1', 's1'));
    expect(reads).toBe(2);
  });

  it('does not answer for a session under another user id', async () => {
    await cache.get('u1', 's1', read('u1', 's1'));
    await cache.get('u2', 's1', read('u2', 's1'));
    expect(reads).toBe(2);
  });

  it('drops every session of a user on a change to the user, and one session on a change to it', async () => {
    await cache.get('u1', 's1', read('u1', 's1'));
    await cache.get('u1', 's2', read('u1', 's2'));
    await cache.get('u2', 's3', read('u2', 's3'));
    feed.emit(USER_CHANGED, 'u1');
    expect(cache.size).toBe(1);
    await cache.get('u2', 's4', read('u2', 's4'));
    feed.emit(SESSION_CHANGED, 's3');
    expect(cache.size).toBe(1);
    await cache.get('u2', 's4', read('u2', 's4'));
    expect(reads).toBe(4);
  });

  it('does not keep a read that a change overtook', async () => {
    let finish!: (value: AuthState) => void;
    const pending = cache.get('u1', 's1', () => new Promise<AuthState>((resolve) => (finish = resolve)));
    feed.emit(USER_CHANGED, 'u1');
    finish(state('u1', 's1'));
    await pending;
    expect(cache.size).toBe(0);
  });

  it('keeps nothing while the change feed is down, and forgets everything when it is back', async () => {
    feed.live = false;
    await cache.get('u1', 's1', read('u1', 's1'));
    expect(cache.size).toBe(0);
    feed.live = true;
    await cache.get('u1', 's1', read('u1', 's1'));
    feed.resubscribe();
    expect(cache.size).toBe(0);
  });

  it('reads again once the TTL has passed, and never with a TTL of 0', async () => {
    // A real second: the LRU map reads its own monotonic clock, which fake timers do not move.
    build(1);
    await cache.get('u1', 's1', read('u1', 's1'));
    await cache.get('u1', 's1', read('u1', 's1'));
    expect(reads).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await cache.get('u1', 's1', read('u1', 's1'));
    expect(reads).toBe(2);
    build(0);
    await cache.get('u1', 's1', read('u1', 's1'));
    await cache.get('u1', 's1', read('u1', 's1'));
    expect(reads).toBe(2);
  });

  it(`holds at most ${AUTH_STATE_CACHE_SIZE} sessions, dropping the least recently used`, async () => {
    for (let i = 0; i <= AUTH_STATE_CACHE_SIZE; i++) await cache.get('u1', `s${i}`, read('u1', `s${i}`));
    expect(cache.size).toBe(AUTH_STATE_CACHE_SIZE);
    reads = 0;
    await cache.get('u1', `s${AUTH_STATE_CACHE_SIZE}`, read('u1', `s${AUTH_STATE_CACHE_SIZE}`));
    await cache.get('u1', 's0', read('u1', 's0'));
    expect(reads).toBe(1);
  });
});
