import { setImmediate as pendingEventsRead } from 'node:timers/promises';
import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { AppConfig } from '../../config/app-config.js';
import { ChangeFeed, SESSION_CHANGED, USER_CHANGED } from '../../redis/change-feed.js';
import type { User } from '../users/entities/user.entity.js';
import type { AuthSession } from './entities/auth-session.entity.js';

/** What a request's token stands on: its user and its login session, as last read. */
export interface AuthState {
  user: User | null;
  session: AuthSession | null;
}

interface Entry extends AuthState {
  userId: string;
}

/** Entries kept at most; the least recently used go first. */
export const AUTH_STATE_CACHE_SIZE = 10_000;

/**
 * Keeps, per login session, the user and session rows that authenticate its tokens, so a warm
 * request costs no database round trip. Every change to either row is published on the
 * ChangeFeed by the code making it (users and sessions services), which drops the entry in
 * every process at once. A read that began before such a change is not stored, nothing is kept
 * while the feed is not live, and entries also expire after AUTH_CACHE_TTL_SECONDS, which
 * bounds how long a change made around the services (by hand in SQL) goes unseen.
 */
@Injectable()
export class AuthStateCache {
  /** By session id; whatever removes an entry (a drop, eviction, expiry) also unindexes it. */
  private readonly entries: LRUCache<string, Entry>;
  private readonly sessionsOfUser = new Map<string, Set<string>>();
  /** Moves on at every change heard: a read begun under an older value is not stored. */
  private generation = 0;

  constructor(
    private readonly feed: ChangeFeed,
    private readonly config: AppConfig,
  ) {
    this.entries = new LRUCache<string, Entry>({
      max: AUTH_STATE_CACHE_SIZE,
      ttl: config.authCacheTtlSeconds * 1000,
      dispose: (entry, sessionId) => this.unindex(entry.userId, sessionId),
    });
    feed.on(USER_CHANGED, (userId) => this.dropUser(userId));
    feed.on(SESSION_CHANGED, (sessionId) => this.dropSession(sessionId));
    feed.onSubscribed(() => this.clear());
  }

  get size(): number {
    return this.entries.size;
  }

  /** The state of `sessionId` of `userId`, from memory or from `read` (and then remembered). */
  async get(userId: string, sessionId: string, read: () => Promise<AuthState>): Promise<AuthState> {
    const entry = this.entries.get(sessionId);
    if (entry && entry.userId === userId) {
      // A change published before this request was sent has normally reached the change feed's
      // socket already, but may not have been read when the request is; one turn of the event
      // loop reads it first. (Across machines the feed stays as late as the network.)
      await pendingEventsRead();
      if (this.entries.get(sessionId) === entry) return { user: entry.user, session: entry.session };
    } else if (entry) this.entries.delete(sessionId);

    const startedAt = this.generation;
    const state = await read();
    if (this.config.authCacheTtlSeconds > 0 && this.feed.live && this.generation === startedAt)
      this.store(sessionId, userId, state);
    return state;
  }

  private store(sessionId: string, userId: string, state: AuthState): void {
    this.entries.set(sessionId, { ...state, userId });
    const sessions = this.sessionsOfUser.get(userId) ?? new Set<string>();
    sessions.add(sessionId);
    this.sessionsOfUser.set(userId, sessions);
  }

  private unindex(userId: string, sessionId: string): void {
    const sessions = this.sessionsOfUser.get(userId);
    sessions?.delete(sessionId);
    if (sessions?.size === 0) this.sessionsOfUser.delete(userId);
  }

  private dropUser(userId: string): void {
    this.generation++;
    for (const sessionId of [...(this.sessionsOfUser.get(userId) ?? [])]) this.entries.delete(sessionId);
  }

  private dropSession(sessionId: string): void {
    this.generation++;
    this.entries.delete(sessionId);
  }

  private clear(): void {
    this.generation++;
    this.entries.clear();
  }
}
