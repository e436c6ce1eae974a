import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { type DataSource, QueryFailedError, type Repository } from 'typeorm';
import { DomainError } from '../../common/errors/domain-error.js';
import type { PasswordHasher } from '../../common/security/password-hasher.js';
import type { AppConfig } from '../../config/app-config.js';
import { type ChangeFeed, type ChangeTopic, USER_CHANGED } from '../../redis/change-feed.js';
import type { ResponseCache } from '../cache/response-cache.service.js';
import type { JobQueue } from '../jobs/job-queue.service.js';
import type { EmailVerificationJob, SendEmailJob } from '../jobs/queues.js';
import type { User } from './entities/user.entity.js';
import { UserWrites } from './user-writes.js';
import { UsersService } from './users.service.js';

const user = (id: string, fields: Partial<User> = {}): User =>
  ({
    id,
    email: `${id}@example.com`,
    emailNormalized: `${id}@example.com`,
    fullName: null,
    hashedPassword: `hashed:old-${id}`,
    isActive: true,
    isSuperuser: false,
    credentialsVersion: 3,
    ...fields,
  }) as User;

/** A unique violation as PostgreSQL reports it through TypeORM. */
const uniqueViolation = (constraint: string) =>
  new QueryFailedError('INSERT ...', [], Object.assign(new Error('duplicate key'), { code: '23505', constraint }));

/** Authorization, credential versions, email uniqueness and change notices; SQL and HTTP are test/users*.e2e-spec.ts's. */
describe(UsersService.name, () => {
  function setUp({ smtp = false } = {}) {
    /** The stored users, which findOneBy searches by every key of its condition. */
    const stored: User[] = [];
    const builder = {
      insert: jest.fn(() => builder),
      values: jest.fn((_values: Partial<User>) => builder),
      orIgnore: jest.fn(() => builder),
      execute: jest.fn(async (): Promise<{ raw: unknown }> => ({ raw: [{ id: 'new' }] })),
    };
    const rows = {
      findOneBy: jest.fn(
        async (where: Partial<User>): Promise<User | null> =>
          stored.find((row) => Object.entries(where).every(([key, value]) => row[key as keyof User] === value)) ?? null,
      ),
      findAndCount: jest.fn(async (_options: object): Promise<[User[], number]> => [[...stored], stored.length]),
      create: jest.fn((fields: Partial<User>) => ({ ...fields }) as User),
      merge: jest.fn((row: User, changes: Partial<User>) => Object.assign(row, changes)),
      save: jest.fn(async (row: User) => row),
      update: jest.fn(async (_where: object, _values: Partial<User>) => ({ affected: 1 })),
      delete: jest.fn(async (_where: object) => ({ affected: 1 })),
      createQueryBuilder: jest.fn(() => builder),
    };
    const hash = jest.fn(async (password: string) => `hashed:${password}`);
    const invalidateOwner = jest.fn(async (_ownerId: string) => undefined);
    const sendEmail = jest.fn(async (_job: SendEmailJob) => 'job-1');
    const requestEmailVerification = jest.fn(async (_job: EmailVerificationJob) => 'job-2');
    const publish = jest.fn(async (_topic: ChangeTopic, _id: string) => undefined);
    const config = {
      projectName: 'Acme',
      frontendHost: 'https://app.example.com',
      smtp: smtp ? { host: 'smtp.example.com', fromEmail: 'noreply@example.com' } : { host: null, fromEmail: null },
    } as unknown as AppConfig;
    const sut = new UsersService(
      rows as unknown as Repository<User>,
      { hash } as unknown as PasswordHasher,
      { sendEmail, requestEmailVerification } as unknown as JobQueue,
      config,
      new UserWrites(
        { subscribers: [] } as unknown as DataSource,
        { publish } as unknown as ChangeFeed,
        { invalidateOwner } as unknown as ResponseCache,
      ),
    );
    return { sut, stored, rows, builder, hash, invalidateOwner, sendEmail, requestEmailVerification, publish };
  }

  describe('reading', () => {
    it('shows users themselves without a query, and anyone else only to a superuser', async () => {
      const { sut, stored, rows } = setUp();
      const alice = user('alice');
      const root = user('root', { isSuperuser: true });
      stored.push(alice, user('bob'));
      await expect(sut.findVisible(alice, 'alice')).resolves.toBe(alice);
      expect(rows.findOneBy).not.toHaveBeenCalled();
      await expect(sut.findVisible(alice, 'bob')).rejects.toEqual(new DomainError('NOT_ENOUGH_PRIVILEGES'));
      await expect(sut.findVisible(root, 'bob')).resolves.toMatchObject({ id: 'bob' });
      await expect(sut.findVisible(root, 'nobody')).rejects.toMatchObject({ code: 'USER_NOT_FOUND' });
    });

    it('finds a user by the normalised form of the email, and never for an address with a NUL', async () => {
      const { sut, stored, rows } = setUp();
      stored.push(user('alice', { email: 'Alice@Example.com', emailNormalized: 'alice@example.com' }));
      // Fullwidth letters fold into plain ones (NFKC) before lower-casing.
      await expect(sut.findByEmail('ＡＬＩＣＥ@EXAMPLE.COM')).resolves.toMatchObject({ id: 'alice' });
      expect(rows.findOneBy).toHaveBeenLastCalledWith({ emailNormalized: 'alice@example.com' });
      rows.findOneBy.mockClear();
      await expect(sut.findByEmail('alice@example.com\u0000')).resolves.toBeNull();
      expect(rows.findOneBy).not.toHaveBeenCalled();
    });

    it('lists a page newest first, passing skip and limit to the repository', async () => {
      const { sut, stored, rows } = setUp();
      stored.push(user('alice'), user('bob'));
      await expect(sut.list(20, 10)).resolves.toEqual({ users: stored, count: 2 });
      expect(rows.findAndCount).toHaveBeenCalledWith({ order: { createdAt: 'DESC', id: 'DESC' }, skip: 20, take: 10 });
    });
  });

  describe('creating accounts', () => {
    it('creates an account with a hashed password, the normalised email and default standing', async () => {
      const { sut, rows, hash, sendEmail } = setUp();
      const created = await sut.create({ email: 'New@Example.com', password: 'a long password' });
      expect(hash).toHaveBeenCalledWith('a long password');
      expect(created).toEqual({
        email: 'New@Example.com',
        emailNormalized: 'new@example.com',
        fullName: null,
        hashedPassword: 'hashed:a long password',
        isActive: true,
        isSuperuser: false,
        isVerified: true,
      });
      expect(rows.save).toHaveBeenCalledWith(created);
      // Email is not configured: no welcome message.
      expect(sendEmail).not.toHaveBeenCalled();
    });

    it('keeps the standing a superuser gives a new account', async () => {
      const { sut } = setUp();
      const created = await sut.create({
        email: 'admin@example.com',
        password: 'a long password',
        full_name: 'Ada Admin',
        is_active: false,
        is_superuser: true,
      });
      expect(created).toMatchObject({ fullName: 'Ada Admin', isActive: false, isSuperuser: true });
    });

    it('refuses an email that is taken in another case, without saving', async () => {
      const { sut, stored, rows } = setUp();
      stored.push(user('alice', { email: 'alice@example.com', emailNormalized: 'alice@example.com' }));
      await expect(sut.create({ email: 'ALICE@example.com', password: 'a long password' })).rejects.toEqual(
        new DomainError('EMAIL_TAKEN_ON_CREATE'),
      );
      expect(rows.save).not.toHaveBeenCalled();
    });

    it('turns a unique violation of the email index (a concurrent sign-up) into EMAIL_TAKEN', async () => {
      const { sut, rows } = setUp();
      rows.save.mockRejectedValueOnce(uniqueViolation('users_email_normalized_key'));
      await expect(sut.create({ email: 'race@example.com', password: 'a long password' })).rejects.toEqual(
        new DomainError('EMAIL_TAKEN_ON_CREATE'),
      );
    });

    it('lets any other database failure through unchanged', async () => {
      const { sut, rows } = setUp();
      const otherIndex = uniqueViolation('users_pkey');
      rows.save.mockRejectedValueOnce(otherIndex);
      await expect(sut.create({ email: 'a@example.com', password: 'a long password' })).rejects.toBe(otherIndex);
      const down = new Error('connect ECONNREFUSED');
      rows.save.mockRejectedValueOnce(down);
      await expect(sut.register({ email: 'b@example.com', password: 'a long password' }, true)).rejects.toBe(down);
    });

    it('queues a welcome email when email is configured', async () => {
      const { sut, sendEmail } = setUp({ smtp: true });
      await sut.create({ email: 'new@example.com', password: 'a long password' });
      expect(sendEmail).toHaveBeenCalledWith({
        to: 'new@example.com',
        content: {
          template: 'new-account',
          projectName: 'Acme',
          email: 'new@example.com',
          loginLink: 'https://app.example.com',
        },
      });
    });

    it('still creates the account when the welcome email cannot be queued', async () => {
      const { sut, rows, sendEmail } = setUp({ smtp: true });
      const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      sendEmail.mockRejectedValueOnce(new Error('Queue unavailable'));
      try {
        await expect(sut.create({ email: 'new@example.com', password: 'a long password' })).resolves.toMatchObject({
          email: 'new@example.com',
        });
        expect(rows.save).toHaveBeenCalledTimes(1);
        expect(warn).toHaveBeenCalledWith(expect.stringContaining('not queued: Queue unavailable'));
      } finally {
        warn.mockRestore();
      }
    });

    it('refuses sign-up when registration is closed, without touching the database', async () => {
      const { sut, rows, hash } = setUp();
      await expect(sut.register({ email: 'new@example.com', password: 'a long password' }, false)).rejects.toEqual(
        new DomainError('REGISTRATION_CLOSED'),
      );
      expect(hash).not.toHaveBeenCalled();
      expect(rows.findOneBy).not.toHaveBeenCalled();
      expect(rows.save).not.toHaveBeenCalled();
    });

    it('signs up an active, ordinary user, and says EMAIL_TAKEN_ON_SIGNUP for a taken email', async () => {
      const { sut, stored, rows } = setUp();
      await expect(
        sut.register({ email: 'New@Example.com', password: 'a long password', full_name: 'Newcomer' }, true),
      ).resolves.toEqual({
        email: 'New@Example.com',
        emailNormalized: 'new@example.com',
        fullName: 'Newcomer',
        hashedPassword: 'hashed:a long password',
        isActive: true,
        isSuperuser: false,
        isVerified: false,
      });
      stored.push(user('taken', { emailNormalized: 'taken@example.com' }));
      await expect(sut.register({ email: 'TAKEN@example.com', password: 'a long password' }, true)).rejects.toEqual(
        new DomainError('EMAIL_TAKEN_ON_SIGNUP'),
      );
      rows.save.mockRejectedValueOnce(uniqueViolation('users_email_normalized_key'));
      await expect(sut.register({ email: 'race@example.com', password: 'a long password' }, true)).rejects.toEqual(
        new DomainError('EMAIL_TAKEN_ON_SIGNUP'),
      );
    });

    it('creates the first superuser once: not when the email exists, and reports a lost insert race', async () => {
      const { sut, stored, builder, rows } = setUp();
      await expect(sut.ensureFirstSuperuser('Root@Example.com', 'a long password')).resolves.toBe(true);
      expect(builder.values).toHaveBeenCalledWith({
        email: 'Root@Example.com',
        emailNormalized: 'root@example.com',
        hashedPassword: 'hashed:a long password',
        fullName: null,
        isActive: true,
        isSuperuser: true,
        isVerified: true,
      });
      expect(builder.orIgnore).toHaveBeenCalled();

      // Another process inserted it first: ON CONFLICT DO NOTHING returns no row.
      builder.execute.mockResolvedValueOnce({ raw: [] });
      await expect(sut.ensureFirstSuperuser('root@example.com', 'a long password')).resolves.toBe(false);

      stored.push(user('root', { emailNormalized: 'root@example.com', isSuperuser: true }));
      rows.createQueryBuilder.mockClear();
      await expect(sut.ensureFirstSuperuser('ROOT@example.com', 'a long password')).resolves.toBe(false);
      expect(rows.createQueryBuilder).not.toHaveBeenCalled();
    });
  });

  describe('verification of addresses', () => {
    it('queues a verification email on signup and on a new email when email is configured, and not otherwise', async () => {
      const configured = setUp({ smtp: true });
      const signedUp = await configured.sut.register({ email: 'new@example.com', password: 'a long password' }, true);
      expect(configured.requestEmailVerification).toHaveBeenCalledWith({ userId: signedUp.id });
      const moved = await configured.sut.updateMe(user('alice', { isVerified: true }), { email: 'moved@example.com' });
      expect(moved).toMatchObject({ isVerified: false, credentialsVersion: 4 });
      expect(configured.requestEmailVerification).toHaveBeenLastCalledWith({ userId: 'alice' });
      configured.requestEmailVerification.mockClear();
      await configured.sut.updateMe(user('bob', { isVerified: true }), { full_name: 'Bob' });
      expect(configured.requestEmailVerification).not.toHaveBeenCalled();

      const unconfigured = setUp();
      await unconfigured.sut.register({ email: 'other@example.com', password: 'a long password' }, true);
      expect(unconfigured.requestEmailVerification).not.toHaveBeenCalled();
    });

    it('keeps the account when its verification email cannot be queued', async () => {
      const { sut, requestEmailVerification } = setUp({ smtp: true });
      const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      requestEmailVerification.mockRejectedValueOnce(new Error('Queue unavailable'));
      try {
        await expect(
          sut.register({ email: 'new@example.com', password: 'a long password' }, true),
        ).resolves.toMatchObject({
          isVerified: false,
        });
        expect(warn).toHaveBeenCalledWith(expect.stringContaining('not queued: Queue unavailable'));
      } finally {
        warn.mockRestore();
      }
    });

    it("marks a user verified by one conditional update on the link's address, and tells every process", async () => {
      const { sut, rows, publish } = setUp();
      await expect(sut.markVerified('alice', 'alice@example.com')).resolves.toBe(true);
      expect(rows.update).toHaveBeenCalledWith(
        { id: 'alice', emailNormalized: 'alice@example.com', isVerified: false },
        { isVerified: true },
      );
      expect(publish).toHaveBeenCalledWith(USER_CHANGED, 'alice');
      rows.update.mockResolvedValueOnce({ affected: 0 });
      await expect(sut.markVerified('alice', 'alice@example.com')).resolves.toBe(false);
    });

    it('a superuser setting an address vouches for it', async () => {
      const { sut, stored } = setUp();
      stored.push(user('alice', { isVerified: false }));
      await expect(sut.update('alice', { email: 'new@example.com' })).resolves.toMatchObject({ isVerified: true });
    });

    it("drops an unverified account's password and sessions when a provider proves the address", async () => {
      const { sut, stored, rows } = setUp();
      const squatted = user('squatted', { isVerified: false });
      stored.push(squatted);
      await sut.confirmEmailByIdentity(squatted);
      expect(rows.update).toHaveBeenCalledWith(
        { id: 'squatted', isVerified: false },
        { isVerified: true, hashedPassword: null, credentialsVersion: expect.any(Function) as unknown },
      );
      rows.update.mockClear();
      const verified = user('verified', { isVerified: true });
      await expect(sut.confirmEmailByIdentity(verified)).resolves.toBe(verified);
      expect(rows.update).not.toHaveBeenCalled();
    });

    it('creates the account of a provider-proven person verified, active, ordinary and without a password', async () => {
      const { sut } = setUp();
      await expect(sut.createFromIdentity('Sso@Example.com', 'Sam')).resolves.toEqual({
        email: 'Sso@Example.com',
        emailNormalized: 'sso@example.com',
        fullName: 'Sam',
        hashedPassword: null,
        isActive: true,
        isSuperuser: false,
        isVerified: true,
      });
    });
  });

  describe('changing accounts', () => {
    it('changes a name without touching the credentials version, and tells every process', async () => {
      const { sut, rows, publish } = setUp();
      const alice = user('alice');
      const updated = await sut.updateMe(alice, { full_name: 'Alice A.' });
      expect(updated).toMatchObject({ fullName: 'Alice A.', credentialsVersion: 3 });
      expect(rows.save).toHaveBeenCalledTimes(1);
      expect(publish).toHaveBeenCalledWith(USER_CHANGED, 'alice');
    });

    it('treats a new email as a credential change: version bumped, normalised form stored', async () => {
      const { sut, rows, publish } = setUp();
      const updated = await sut.updateMe(user('alice'), { email: 'Alice.New@Example.com' });
      expect(updated).toMatchObject({
        email: 'Alice.New@Example.com',
        emailNormalized: 'alice.new@example.com',
        credentialsVersion: 4,
      });
      expect(rows.findOneBy).toHaveBeenCalledWith({ emailNormalized: 'alice.new@example.com' });
      expect(publish).toHaveBeenCalledWith(USER_CHANGED, 'alice');
    });

    it('writes and publishes nothing for an empty change or an unchanged email', async () => {
      const { sut, stored, rows, publish } = setUp();
      const alice = user('alice');
      stored.push(alice);
      await expect(sut.updateMe(alice, {})).resolves.toBe(alice);
      await expect(sut.updateMe(alice, { email: 'alice@example.com' })).resolves.toBe(alice);
      await expect(sut.update('alice', { email: 'alice@example.com' })).resolves.toBe(alice);
      expect(rows.save).not.toHaveBeenCalled();
      expect(publish).not.toHaveBeenCalled();
      expect(alice.credentialsVersion).toBe(3);
    });

    it("allows a new spelling of one's own email but refuses someone else's", async () => {
      const { sut, stored, rows, publish } = setUp();
      const alice = user('alice');
      stored.push(alice, user('bob'));
      await expect(sut.updateMe(alice, { email: 'BOB@example.com' })).rejects.toEqual(
        new DomainError('EMAIL_TAKEN_ON_UPDATE'),
      );
      expect(rows.save).not.toHaveBeenCalled();
      expect(publish).not.toHaveBeenCalled();
      await expect(sut.updateMe(alice, { email: 'ALICE@example.com' })).resolves.toMatchObject({
        email: 'ALICE@example.com',
        emailNormalized: 'alice@example.com',
      });
    });

    it('turns a unique violation on save into EMAIL_TAKEN_ON_UPDATE and publishes nothing', async () => {
      const { sut, rows, publish } = setUp();
      rows.save.mockRejectedValueOnce(uniqueViolation('users_email_normalized_key'));
      await expect(sut.updateMe(user('alice'), { email: 'race@example.com' })).rejects.toEqual(
        new DomainError('EMAIL_TAKEN_ON_UPDATE'),
      );
      expect(publish).not.toHaveBeenCalled();
    });

    it('answers NO_SUCH_USER_ID when a superuser updates an unknown user', async () => {
      const { sut, rows } = setUp();
      await expect(sut.update('nobody', { full_name: 'X' })).rejects.toEqual(new DomainError('NO_SUCH_USER_ID'));
      expect(rows.save).not.toHaveBeenCalled();
    });

    it('bumps the credentials version for a new password, a new email or a deactivation', async () => {
      const { sut, stored, hash } = setUp();
      stored.push(user('a'), user('b'), user('c'));
      await expect(sut.update('a', { password: 'another password' })).resolves.toMatchObject({
        hashedPassword: 'hashed:another password',
        credentialsVersion: 4,
      });
      expect(hash).toHaveBeenCalledWith('another password');
      await expect(sut.update('b', { email: 'b2@example.com' })).resolves.toMatchObject({
        emailNormalized: 'b2@example.com',
        credentialsVersion: 4,
      });
      await expect(sut.update('c', { is_active: false })).resolves.toMatchObject({
        isActive: false,
        credentialsVersion: 4,
      });
    });

    it('leaves the credentials version for a name, a role, a reactivation or an unchanged email', async () => {
      const { sut, stored, publish } = setUp();
      stored.push(user('a'), user('b', { isActive: false }), user('c'));
      await expect(sut.update('a', { full_name: 'A', is_superuser: true, email: 'a@example.com' })).resolves.toEqual(
        expect.objectContaining({ fullName: 'A', isSuperuser: true, credentialsVersion: 3 }),
      );
      // Already inactive: nothing new to end.
      await expect(sut.update('b', { is_active: false })).resolves.toMatchObject({ credentialsVersion: 3 });
      await expect(sut.update('b', { is_active: true })).resolves.toMatchObject({
        isActive: true,
        credentialsVersion: 3,
      });
      expect(publish.mock.calls).toEqual([
        [USER_CHANGED, 'a'],
        [USER_CHANGED, 'b'],
        [USER_CHANGED, 'b'],
      ]);
    });

    it('sets a password under a new credentials version and returns that version', async () => {
      const { sut, rows, publish } = setUp();
      await expect(sut.setPassword(user('alice'), 'new password')).resolves.toBe(4);
      expect(rows.save).toHaveBeenCalledWith(
        expect.objectContaining({ hashedPassword: 'hashed:new password', credentialsVersion: 4 }),
      );
      expect(publish).toHaveBeenCalledWith(USER_CHANGED, 'alice');
    });

    it('resets a password only under the version the reset link was issued for', async () => {
      const { sut, rows, publish } = setUp();
      await expect(sut.resetPassword(user('alice'), 'new password', 3)).resolves.toBe(true);
      expect(rows.update).toHaveBeenCalledWith(
        { id: 'alice', credentialsVersion: 3 },
        { hashedPassword: 'hashed:new password', credentialsVersion: 4 },
      );
      expect(publish).toHaveBeenCalledWith(USER_CHANGED, 'alice');
      // The link was used already (or the credentials changed since): no row matches.
      rows.update.mockResolvedValueOnce({ affected: 0 });
      await expect(sut.resetPassword(user('alice'), 'new password', 3)).resolves.toBe(false);
    });

    it('upgrades a password hash without moving the credentials version', async () => {
      const { sut, rows, publish } = setUp();
      await sut.upgradePasswordHash(user('alice'), '$argon2id$stronger');
      expect(rows.update).toHaveBeenCalledWith({ id: 'alice' }, { hashedPassword: '$argon2id$stronger' });
      expect(publish).toHaveBeenCalledWith(USER_CHANGED, 'alice');
    });
  });

  describe('deleting accounts', () => {
    it('lets users delete themselves, ending their sessions and dropping their cached responses', async () => {
      const { sut, rows, publish, invalidateOwner } = setUp();
      await sut.deleteMe(user('alice'));
      expect(rows.delete).toHaveBeenCalledWith({ id: 'alice' });
      expect(publish).toHaveBeenCalledWith(USER_CHANGED, 'alice');
      expect(invalidateOwner).toHaveBeenCalledWith('alice');
    });

    it('refuses a superuser deleting themselves, by either route', async () => {
      const { sut, stored, rows, invalidateOwner } = setUp();
      const root = user('root', { isSuperuser: true });
      stored.push(root);
      await expect(sut.deleteMe(root)).rejects.toEqual(new DomainError('SUPERUSER_SELF_DELETE'));
      await expect(sut.delete(root, 'root')).rejects.toEqual(new DomainError('SUPERUSER_SELF_DELETE'));
      expect(rows.delete).not.toHaveBeenCalled();
      expect(invalidateOwner).not.toHaveBeenCalled();
    });

    it('lets a superuser delete another user, and answers USER_NOT_FOUND for an unknown one', async () => {
      const { sut, stored, rows, publish, invalidateOwner } = setUp();
      const root = user('root', { isSuperuser: true });
      stored.push(root, user('bob'));
      await expect(sut.delete(root, 'nobody')).rejects.toEqual(new DomainError('USER_NOT_FOUND'));
      expect(rows.delete).not.toHaveBeenCalled();
      await sut.delete(root, 'bob');
      expect(rows.delete).toHaveBeenCalledWith({ id: 'bob' });
      expect(publish).toHaveBeenCalledWith(USER_CHANGED, 'bob');
      expect(invalidateOwner).toHaveBeenCalledWith('bob');
    });
  });
});
