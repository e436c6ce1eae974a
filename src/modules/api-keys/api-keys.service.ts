import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, LessThan, type Repository } from 'typeorm';
import { DomainError } from '../../common/errors/domain-error.js';
import { AppConfig } from '../../config/app-config.js';
import { User } from '../users/entities/user.entity.js';
import { UsersService } from '../users/users.service.js';
import type { CreateApiKeyDto } from './dto/create-api-key.dto.js';
import { ApiKey } from './entities/api-key.entity.js';

/** Every key starts with this, so a leaked one is recognisable (secret scanners, logs). */
export const API_KEY_PREFIX = 'ak_';
/** The prefix and 32 random bytes in base64url. */
const KEY_FORMAT = /^ak_[A-Za-z0-9_-]{43}$/;
/** How much of a key lists show. */
const SHOWN_CHARACTERS = 11;
export const MAX_KEYS_PER_USER = 100;
/** last_used_at is written at most this often per key, not on every request. */
export const LAST_USED_RESOLUTION_MS = 60_000;

export interface ApiKeysPage {
  keys: ApiKey[];
  count: number;
}

export interface IssuedApiKey {
  apiKey: ApiKey;
  /** The key itself: returned once, stored only as a hash. */
  secret: string;
}

/**
 * API keys: long random secrets, so a fast keyed hash (HMAC-SHA256 under a key derived from
 * SECRET_KEY) is enough to store them; a database leak alone does not let anyone test guesses.
 */
@Injectable()
export class ApiKeysService {
  private readonly hashKey: Buffer;

  constructor(
    @InjectRepository(ApiKey) private readonly keys: Repository<ApiKey>,
    private readonly users: UsersService,
    config: AppConfig,
  ) {
    this.hashKey = Buffer.from(hkdfSync('sha256', config.secretKey, '', 'api-key-hash', 32));
  }

  /**
   * Issues a key unless the owner has MAX_KEYS_PER_USER already. The count and the insert run in
   * one transaction holding the owner's row lock, so parallel requests cannot all pass the count.
   */
  async create(owner: User, input: CreateApiKeyDto): Promise<IssuedApiKey> {
    const secret = API_KEY_PREFIX + randomBytes(32).toString('base64url');
    const apiKey = this.keys.create({
      userId: owner.id,
      name: input.name,
      prefix: secret.slice(0, SHOWN_CHARACTERS),
      keyHash: this.hash(secret),
      readOnly: input.read_only ?? false,
      expiresAt: input.expires_at ?? null,
      lastUsedAt: null,
    });
    await this.keys.manager.transaction(async (manager) => {
      const locked = await manager
        .getRepository(User)
        .findOne({ where: { id: owner.id }, lock: { mode: 'pessimistic_write' } });
      // Deleted while this request ran: a 404 rather than the foreign key's 500.
      if (!locked) throw new DomainError('USER_NOT_FOUND');
      const keys = manager.getRepository(ApiKey);
      if ((await keys.countBy({ userId: owner.id })) >= MAX_KEYS_PER_USER) throw new DomainError('TOO_MANY_API_KEYS');
      await keys.insert(apiKey);
    });
    return { apiKey, secret };
  }

  /** The keys of user `userId`, for `caller`: their own, or anyone's for a superuser. */
  async listOf(caller: User, userId: string, skip: number, limit: number): Promise<ApiKeysPage> {
    const owner = await this.users.findVisible(caller, userId);
    const [keys, count] = await this.keys.findAndCount({
      where: { userId: owner.id },
      order: { createdAt: 'DESC', id: 'DESC' },
      skip,
      take: limit,
    });
    return { keys, count };
  }

  /** Deletes a key of user `userId`; it stops working at once, in every process. */
  async revoke(caller: User, userId: string, keyId: string): Promise<void> {
    const owner = await this.users.findVisible(caller, userId);
    const result = await this.keys.delete({ id: keyId, userId: owner.id });
    if (!result.affected) throw new DomainError('API_KEY_NOT_FOUND');
  }

  /**
   * The key and its owner when `secret` is an existing key that has not expired, else null.
   * Read from the database on every request, so a revocation holds everywhere at once.
   */
  async findUsable(secret: string): Promise<{ apiKey: ApiKey; user: User } | null> {
    // Anything not shaped like a key costs no query.
    if (!KEY_FORMAT.test(secret)) return null;
    const apiKey = await this.keys.findOne({ where: { keyHash: this.hash(secret) }, relations: { user: true } });
    if (!apiKey?.user || (apiKey.expiresAt !== null && apiKey.expiresAt.getTime() <= Date.now())) return null;
    await this.recordUse(apiKey);
    return { apiKey, user: apiKey.user };
  }

  /** One conditional UPDATE, so requests racing past the minute write the time once. */
  private async recordUse(apiKey: ApiKey): Promise<void> {
    const now = new Date();
    const stale = new Date(now.getTime() - LAST_USED_RESOLUTION_MS);
    if (apiKey.lastUsedAt && apiKey.lastUsedAt > stale) return;
    await this.keys.update(
      [
        { id: apiKey.id, lastUsedAt: IsNull() },
        { id: apiKey.id, lastUsedAt: LessThan(stale) },
      ],
      { lastUsedAt: now },
    );
  }

  private hash(secret: string): string {
    return createHmac('sha256', this.hashKey).update(secret).digest('base64url');
  }
}
