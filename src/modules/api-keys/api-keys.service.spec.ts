import { jest } from '@jest/globals';
import { IsNull, LessThan, type Repository } from 'typeorm';
import { DomainError } from '../../common/errors/domain-error.js';
import type { PasswordHasher } from '../../common/security/password-hasher.js';
import type { AppConfig } from '../../config/app-config.js';
import type { JobQueue } from '../jobs/job-queue.service.js';
import { User } from '../users/entities/user.entity.js';
import type { UserWrites } from '../users/user-writes.js';
import { UsersService } from '../users/users.service.js';
import { API_KEY_PREFIX, ApiKeysService, LAST_USED_RESOLUTION_MS, MAX_KEYS_PER_USER } from './api-keys.service.js';
import type { ApiKey } from './entities/api-key.entity.js';

const config = { secretKey: 'a secret key of this unit test, long enough' } as AppConfig;
const NOW = new Date('2030-01-01T12:00:00Z');

/** Limits, hashing, expiry, last-use throttling and who may see or revoke keys; SQL and HTTP are the e2e tests'. */
describe(ApiKeysService.name, () => {
  const alice = { id: 'alice', isSuperuser: false, isActive: true } as User;
  const bob = { id: 'bob', isSuperuser: false, isActive: true } as User;
  const root = { id: 'root', isSuperuser: true, isActive: true } as User;

  function setUp(secretKey = config.secretKey) {
    const rows = {
      countBy: jest.fn(async (_where: object) => 0),
      create: jest.fn((fields: Partial<ApiKey>) => ({ ...fields }) as ApiKey),
      insert: jest.fn(async (_row: ApiKey) => undefined),
      findAndCount: jest.fn(async (_options: object): Promise<[ApiKey[], number]> => [[], 0]),
      findOne: jest.fn(async (_options: { where: Partial<ApiKey> }): Promise<ApiKey | null> => null),
      update: jest.fn(async (_where: object, _values: Partial<ApiKey>) => ({ affected: 1 })),
      delete: jest.fn(async (_where: object) => ({ affected: 1 })),
      manager: {} as { transaction: (work: (manager: object) => Promise<void>) => Promise<void> },
    };
    // A transaction runs its work at once: the count and the insert above, and the owner's row lock.
    const ownerLocks: object[] = [];
    let ownerRow: User | null = alice;
    const transactionManager = {
      getRepository: (entity: unknown) =>
        entity === User
          ? {
              findOne: async (options: object) => {
                ownerLocks.push(options);
                return ownerRow;
              },
            }
          : rows,
    };
    rows.manager = { transaction: async (work) => work(transactionManager) };
    // The real authorization rule (UsersService.findVisible) over a table of three users.
    const people = [alice, bob, root];
    const userRows = {
      findOneBy: jest.fn(async ({ id }: { id: string }) => people.find((person) => person.id === id) ?? null),
    };
    const users = new UsersService(
      userRows as unknown as Repository<User>,
      {} as PasswordHasher,
      {} as JobQueue,
      {} as AppConfig,
      {} as UserWrites,
    );
    const sut = new ApiKeysService(rows as unknown as Repository<ApiKey>, users, { ...config, secretKey });
    /** Issues a key through the service and makes the repository find it by its hash. */
    const issue = async (fields: Partial<ApiKey> = {}) => {
      const issued = await sut.create(alice, { name: 'ci' });
      const stored = { ...issued.apiKey, id: 'key-1', user: alice, ...fields } as ApiKey;
      rows.findOne.mockImplementation(async ({ where }) => (where.keyHash === stored.keyHash ? stored : null));
      rows.insert.mockClear();
      return { secret: issued.secret, stored };
    };
    return { sut, rows, issue, ownerLocks, deleteOwner: () => (ownerRow = null) };
  }

  afterEach(() => jest.useRealTimers());

  describe('issuing', () => {
    it('issues a random ak_ key, storing its first 11 characters and a keyed hash but never the key', async () => {
      const { sut, rows } = setUp();
      const { apiKey, secret } = await sut.create(alice, { name: 'ci' });
      expect(secret).toMatch(/^ak_[A-Za-z0-9_-]{43}$/);
      expect(secret.startsWith(API_KEY_PREFIX)).toBe(true);
      expect(apiKey).toEqual({
        userId: 'alice',
        name: 'ci',
        prefix: secret.slice(0, 11),
        keyHash: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) as unknown,
        readOnly: false,
        expiresAt: null,
        lastUsedAt: null,
      });
      expect(apiKey.keyHash).not.toContain(secret.slice(3));
      expect(rows.insert).toHaveBeenCalledWith(apiKey);
      const another = await sut.create(alice, { name: 'ci' });
      expect(another.secret).not.toBe(secret);
      expect(another.apiKey.keyHash).not.toBe(apiKey.keyHash);
    });

    it('stores the read-only flag and the expiry it is given', async () => {
      const { sut } = setUp();
      const expiresAt = new Date('2031-01-01T00:00:00Z');
      const { apiKey } = await sut.create(alice, { name: 'reader', read_only: true, expires_at: expiresAt });
      expect(apiKey).toMatchObject({ readOnly: true, expiresAt });
    });

    it(`allows ${MAX_KEYS_PER_USER} keys per user, counting the owner's keys only, under the owner's row lock`, async () => {
      const { sut, rows, ownerLocks } = setUp();
      rows.countBy.mockResolvedValueOnce(MAX_KEYS_PER_USER - 1);
      await expect(sut.create(alice, { name: 'last one' })).resolves.toHaveProperty('secret');
      expect(rows.countBy).toHaveBeenCalledWith({ userId: 'alice' });
      rows.countBy.mockResolvedValueOnce(MAX_KEYS_PER_USER);
      await expect(sut.create(alice, { name: 'one too many' })).rejects.toEqual(new DomainError('TOO_MANY_API_KEYS'));
      expect(rows.insert).toHaveBeenCalledTimes(1);
      expect(ownerLocks).toEqual([
        { where: { id: 'alice' }, lock: { mode: 'pessimistic_write' } },
        { where: { id: 'alice' }, lock: { mode: 'pessimistic_write' } },
      ]);
    });

    it('answers USER_NOT_FOUND, writing nothing, when the owner was deleted meanwhile', async () => {
      const { sut, rows, deleteOwner } = setUp();
      deleteOwner();
      await expect(sut.create(alice, { name: 'orphan' })).rejects.toEqual(new DomainError('USER_NOT_FOUND'));
      expect(rows.insert).not.toHaveBeenCalled();
    });
  });

  describe('authenticating', () => {
    it('finds a key and its owner by the hash of the whole key, with the read-only flag', async () => {
      const { sut, rows, issue } = setUp();
      const { secret, stored } = await issue({ readOnly: true });
      await expect(sut.findUsable(secret)).resolves.toEqual({ apiKey: stored, user: alice });
      expect(rows.findOne).toHaveBeenCalledWith({ where: { keyHash: stored.keyHash }, relations: { user: true } });
      expect(stored.readOnly).toBe(true);
      // One character off is another key.
      const altered = secret.slice(0, -1) + (secret.endsWith('A') ? 'B' : 'A');
      await expect(sut.findUsable(altered)).resolves.toBeNull();
    });

    it('derives the hash from SECRET_KEY: the same key hashes alike under one secret and differently under another', async () => {
      const first = setUp();
      const { secret, stored } = await first.issue();
      await first.sut.findUsable(secret);
      const again = setUp();
      await again.sut.findUsable(secret);
      expect(again.rows.findOne).toHaveBeenCalledWith(expect.objectContaining({ where: { keyHash: stored.keyHash } }));
      const rotated = setUp('another secret key, just as long as the first');
      await rotated.sut.findUsable(secret);
      expect(rotated.rows.findOne).not.toHaveBeenCalledWith(
        expect.objectContaining({ where: { keyHash: stored.keyHash } }),
      );
      expect(rotated.rows.findOne).toHaveBeenCalledTimes(1);
    });

    it('spends no query on anything not shaped like a key', async () => {
      const { sut, rows } = setUp();
      const body = 'A'.repeat(43);
      for (const candidate of ['', `xx_${body}`, `ak_${body}A`, `ak_${body.slice(1)}`, `ak_${body.slice(1)}+`, body]) {
        await expect(sut.findUsable(candidate)).resolves.toBeNull();
      }
      expect(rows.findOne).not.toHaveBeenCalled();
    });

    it('refuses an unknown key, a key without its user, and an expired key, recording no use', async () => {
      jest.useFakeTimers({ now: NOW, doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate'] });
      const unknown = setUp();
      await expect(unknown.sut.findUsable(`ak_${'A'.repeat(43)}`)).resolves.toBeNull();

      const orphan = setUp();
      const orphaned = await orphan.issue({ user: undefined });
      await expect(orphan.sut.findUsable(orphaned.secret)).resolves.toBeNull();

      const expiring = setUp();
      const atNow = await expiring.issue({ expiresAt: new Date(NOW.getTime()) });
      await expect(expiring.sut.findUsable(atNow.secret)).resolves.toBeNull();
      for (const { rows } of [unknown, orphan, expiring]) expect(rows.update).not.toHaveBeenCalled();
    });

    it('accepts a key until its expiry', async () => {
      jest.useFakeTimers({ now: NOW, doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate'] });
      const { sut, issue } = setUp();
      const { secret } = await issue({ expiresAt: new Date(NOW.getTime() + 1) });
      await expect(sut.findUsable(secret)).resolves.toMatchObject({ user: { id: 'alice' } });
    });
  });

  describe('recording use', () => {
    const stale = new Date(NOW.getTime() - LAST_USED_RESOLUTION_MS);
    beforeEach(() => jest.useFakeTimers({ now: NOW, doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate'] }));

    it('records the first use with one conditional update', async () => {
      const { sut, rows, issue } = setUp();
      const { secret } = await issue({ lastUsedAt: null });
      await sut.findUsable(secret);
      expect(rows.update).toHaveBeenCalledWith(
        [
          { id: 'key-1', lastUsedAt: IsNull() },
          { id: 'key-1', lastUsedAt: LessThan(stale) },
        ],
        { lastUsedAt: NOW },
      );
    });

    it(`writes last_used_at at most once per ${LAST_USED_RESOLUTION_MS / 1000} seconds`, async () => {
      const { sut, rows, issue } = setUp();
      const recent = await issue({ lastUsedAt: new Date(NOW.getTime() - LAST_USED_RESOLUTION_MS + 1000) });
      await expect(sut.findUsable(recent.secret)).resolves.not.toBeNull();
      expect(rows.update).not.toHaveBeenCalled();

      const old = await issue({ lastUsedAt: new Date(NOW.getTime() - 2 * LAST_USED_RESOLUTION_MS) });
      await sut.findUsable(old.secret);
      expect(rows.update).toHaveBeenCalledTimes(1);
      expect(rows.update).toHaveBeenCalledWith(expect.any(Array), { lastUsedAt: NOW });
    });
  });

  describe('listing and revoking', () => {
    it("lists a user's keys newest first with the paging asked for, to themselves and to a superuser", async () => {
      const { sut, rows } = setUp();
      const keys = [{ id: 'k1', userId: 'alice' } as ApiKey];
      rows.findAndCount.mockResolvedValue([keys, 7]);
      await expect(sut.listOf(alice, 'alice', 5, 2)).resolves.toEqual({ keys, count: 7 });
      expect(rows.findAndCount).toHaveBeenLastCalledWith({
        where: { userId: 'alice' },
        order: { createdAt: 'DESC', id: 'DESC' },
        skip: 5,
        take: 2,
      });
      await sut.listOf(root, 'alice', 0, 100);
      expect(rows.findAndCount).toHaveBeenLastCalledWith(expect.objectContaining({ where: { userId: 'alice' } }));
    });

    it("refuses another user's keys to an ordinary user, and an unknown user to a superuser", async () => {
      const { sut, rows } = setUp();
      await expect(sut.listOf(bob, 'alice', 0, 100)).rejects.toEqual(new DomainError('NOT_ENOUGH_PRIVILEGES'));
      await expect(sut.revoke(bob, 'alice', 'k1')).rejects.toEqual(new DomainError('NOT_ENOUGH_PRIVILEGES'));
      await expect(sut.listOf(root, 'nobody', 0, 100)).rejects.toEqual(new DomainError('USER_NOT_FOUND'));
      await expect(sut.revoke(root, 'nobody', 'k1')).rejects.toEqual(new DomainError('USER_NOT_FOUND'));
      expect(rows.findAndCount).not.toHaveBeenCalled();
      expect(rows.delete).not.toHaveBeenCalled();
    });

    it('revokes a key only under the user named in the path', async () => {
      const { sut, rows } = setUp();
      await sut.revoke(alice, 'alice', 'k1');
      expect(rows.delete).toHaveBeenLastCalledWith({ id: 'k1', userId: 'alice' });
      await sut.revoke(root, 'bob', 'k2');
      expect(rows.delete).toHaveBeenLastCalledWith({ id: 'k2', userId: 'bob' });
    });

    it('answers API_KEY_NOT_FOUND when no such key belongs to that user', async () => {
      const { sut, rows } = setUp();
      rows.delete.mockResolvedValueOnce({ affected: 0 });
      await expect(sut.revoke(alice, 'alice', 'bobs-key')).rejects.toEqual(new DomainError('API_KEY_NOT_FOUND'));
    });
  });
});
