import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { WritePath } from '../../database/write-path.js';
import { ChangeFeed, SESSION_CHANGED, USER_CHANGED } from '../../redis/change-feed.js';
import { AuthSession } from './entities/auth-session.entity.js';

/** Every write to `auth_sessions` rows, and what each one tells the other processes. */
@Injectable()
export class SessionWrites extends WritePath<AuthSession> {
  constructor(
    @InjectDataSource() dataSource: DataSource,
    private readonly changes: ChangeFeed,
  ) {
    super(dataSource, AuthSession);
  }

  /** A new session: no process holds anything derived from it yet. */
  create<T>(work: () => Promise<T>): Promise<T> {
    return this.run(work);
  }

  /**
   * A session's refresh secret replaced: processes keep whether a session admits access tokens,
   * which rotation does not change, and never its secrets.
   */
  rotateSecret<T>(work: () => Promise<T>): Promise<T> {
    return this.run(work);
  }

  /** A change to whether one session admits tokens: every process drops what it keeps of it. */
  async change<T>(sessionId: string, work: () => Promise<T>): Promise<T> {
    const result = await this.run(work);
    await this.changes.publish(SESSION_CHANGED, sessionId);
    return result;
  }

  /** A change to all of a user's sessions. */
  async changeAllOf<T>(userId: string, work: () => Promise<T>): Promise<T> {
    const result = await this.run(work);
    await this.changes.publish(USER_CHANGED, userId);
    return result;
  }
}
