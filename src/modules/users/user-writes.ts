import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { WritePath } from '../../database/write-path.js';
import { ChangeFeed, USER_CHANGED } from '../../redis/change-feed.js';
import { ResponseCache } from '../cache/response-cache.service.js';
import { User } from './entities/user.entity.js';

/** Every write to `users` rows, and what each one tells the other processes. */
@Injectable()
export class UserWrites extends WritePath<User> {
  constructor(
    @InjectDataSource() dataSource: DataSource,
    private readonly changes: ChangeFeed,
    private readonly cache: ResponseCache,
  ) {
    super(dataSource, User);
  }

  /** A new user: no process holds anything derived from it yet. */
  create<T>(work: () => Promise<T>): Promise<T> {
    return this.run(work);
  }

  /** A change to one user: every process drops the auth state it keeps for them. */
  async change<T>(userId: string, work: () => Promise<T>): Promise<T> {
    const result = await this.run(work);
    await this.changes.publish(USER_CHANGED, userId);
    return result;
  }

  /** A deleted user: their auth state, and the cached responses of what they owned (gone with them). */
  async delete(userId: string, work: () => Promise<unknown>): Promise<void> {
    await this.change(userId, work);
    await this.cache.invalidateOwner(userId);
  }
}
