import { setImmediate as pendingEventsRead } from 'node:timers/promises';
import { Injectable } from '@nestjs/common';
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
  expiresAt: number;
}

/** Entries kept at most; the oldest go first. */
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
  /** By session id. */
  private readonly entries = new Map<string, Entry>();
  private readonly sessionsOfUser = new Map<string, Set<string>>();
  /** Moves on at every change heard: a read begun under an older value is not stored. */
  private generation = 0;

  constructor(
    private readonly feed: ChangeFeed,
    private readonly config: AppConfig,
  ) {
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
    if (entry && entry.userId === userId && entry.expiresAt > Date.now()) {
      // A change published before this request was sent has normally reached the change feed's
      // socket already, but may not have been read when the request is; one turn of the event
      // loop reads it first. (Across machines the feed stays as late as the network.)
      await pendingEventsRead();
      if (this.entries.get(sessionId) === entry) return { user: entry.user, session: entry.session };
    } else if (entry) this.drop(sessionId);

    const startedAt = this.generation;
    const state = await read();
    const ttlMs = this.config.authCacheTtlSeconds * 1000;
    if (ttlMs > 0 && this.feed.live && this.generation === startedAt) this.store(sessionId, userId, state, ttlMs);
    return state;
  }

  private store(sessionId: string, userId: string, state: AuthState, ttlMs: number): void {
    if (this.entries.size >= AUTH_STATE_CACHE_SIZE) this.drop(this.entries.keys().next().value!);
    this.entries.set(sessionId, { ...state, userId, expiresAt: Date.now() + ttlMs });
    const sessions = this.sessionsOfUser.get(userId) ?? new Set<string>();
    sessions.add(sessionId);
    this.sessionsOfUser.set(userId, sessions);
  }

  private drop(sessionId: string): void {
    const entry = this.entries.get(sessionId);
    if (!entry) return;
    this.entries.delete(sessionId);
    const sessions = this.sessionsOfUser.get(entry.userId);
    sessions?.delete(sessionId);
    if (sessions?.size === 0) this.sessionsOfUser.delete(entry.userId);
  }

  private dropUser(userId: string): void {
    this.generation++;
    for (const sessionId of this.sessionsOfUser.get(userId) ?? []) this.drop(sessionId);
  }

  private dropSession(sessionId: string): void {
    this.generation++;
    this.drop(sessionId);
  }

  private clear(): void {
    this.generation++;
    this.entries.clear();
    this.sessionsOfUser.clear();
  }
}
