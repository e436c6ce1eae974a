import { jest } from '@jest/globals';
import { DomainError, type DomainErrorCode } from '../../common/errors/domain-error.js';
import type { AttemptLimits, LimitCheck } from '../../common/rate-limit/attempt-limits.js';
import type { PasswordCheck, PasswordHasher } from '../../common/security/password-hasher.js';
import type { AppConfig } from '../../config/app-config.js';
import type { UpdateMeDto } from '../users/dto/update-me.dto.js';
import type { User } from '../users/entities/user.entity.js';
import type { UsersService } from '../users/users.service.js';
import type { AccessTokens } from './access-tokens.js';
import { AuthService, PASSWORD_UPDATED } from './auth.service.js';
import type { AuthSession } from './entities/auth-session.entity.js';
import type { IssuedSession, SessionsService } from './sessions.service.js';

const config = {
  loginMaxFailuresPerEmail: 5,
  loginMaxFailuresPerIp: 50,
  loginFailureWindowSeconds: 900,
} as AppConfig;

const emailCheck = (subject: string): LimitCheck => ({
  rule: { name: 'login-email', points: 5, durationSeconds: 900 },
  subject,
});
const addressCheck = (name: 'login-ip' | 'password-change-ip', subject = '203.0.113.7'): LimitCheck => ({
  rule: { name, points: 50, durationSeconds: 900 },
  subject,
});
const userCheck = (subject: string): LimitCheck => ({
  rule: { name: 'password-change-user', points: 5, durationSeconds: 900 },
  subject,
});

const databaseDown = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

/** Limits, the password check and sessions; hashing, Redis and the database are exercised by the e2e tests. */
describe(AuthService.name, () => {
  const ip = '203.0.113.7';
  const aUser = (fields: Partial<User> = {}) =>
    ({
      id: 'u1',
      email: 'alice@example.com',
      hashedPassword: 'stored-hash',
      isActive: true,
      credentialsVersion: 3,
      ...fields,
    }) as User;

  function setUp(settings: Partial<AppConfig> = {}) {
    /** The order in which the collaborators were asked, by name. */
    const steps: string[] = [];
    const issued: IssuedSession = { session: { id: 's1', userId: 'u1' } as AuthSession, refreshToken: 's1.secret' };
    const users = {
      findByEmail: jest.fn(async (_email: string): Promise<User | null> => {
        steps.push('findByEmail');
        return aUser();
      }),
      findById: jest.fn(async (_id: string): Promise<User | null> => aUser()),
      upgradePasswordHash: jest.fn(async (_user: User, _hash: string) => undefined),
      setPassword: jest.fn(async (user: User, _password: string) => user.credentialsVersion + 1),
      updateMe: jest.fn(async (user: User, _input: UpdateMeDto): Promise<User> => user),
    };
    const sessions = {
      start: jest.fn(async (_user: User) => issued),
      rotate: jest.fn(
        async (
          _token: string,
          _loadUser: (id: string) => Promise<User | null>,
        ): Promise<{ issued: IssuedSession; user: User } | null> => null,
      ),
      revokeAllOf: jest.fn(async (_userId: string) => undefined),
      carryOver: jest.fn(async (_sessionId: string, _version: number) => undefined),
    };
    const accessTokens = {
      sign: jest.fn(async (userId: string, sessionId: string) => `access(${userId},${sessionId})`),
      lifetimeSeconds: 1800,
    };
    const passwords = {
      verify: jest.fn(async (_hashed: string, _password: string): Promise<PasswordCheck> => {
        steps.push('verify');
        return { valid: true, needsRehash: false };
      }),
      verifyDecoy: jest.fn(async (_password: string) => {
        steps.push('verifyDecoy');
      }),
      hash: jest.fn(async (password: string) => `new-hash(${password})`),
    };
    const limits = {
      take: jest.fn(async (_checks: LimitCheck[], _refusal: DomainErrorCode) => {
        steps.push('take');
      }),
      giveBack: jest.fn(async (_checks: LimitCheck[]) => undefined),
      reset: jest.fn(async (_check: LimitCheck) => undefined),
    };
    const sut = new AuthService(
      users as unknown as UsersService,
      sessions as unknown as SessionsService,
      accessTokens as unknown as AccessTokens,
      passwords as unknown as PasswordHasher,
      limits as unknown as AttemptLimits,
      { ...config, ...settings },
    );
    return { sut, steps, issued, users, sessions, accessTokens, passwords, limits };
  }

  describe('login when EMAIL_VERIFICATION_REQUIRED is on', () => {
    it('refuses an unverified account with the right password, after the check, and starts no session', async () => {
      const { sut, users, sessions, limits } = setUp({ emailVerificationRequired: true });
      users.findByEmail.mockResolvedValueOnce(aUser({ isVerified: false }));
      await expect(sut.login('alice@example.com', 'right password', ip)).rejects.toEqual(
        new DomainError('EMAIL_NOT_VERIFIED'),
      );
      expect(sessions.start).not.toHaveBeenCalled();
      // The right password was given: the attempt does not count towards a lock-out.
      expect(limits.reset).toHaveBeenCalledWith(emailCheck('alice@example.com'));
    });

    it('tells a wrong password as always, and lets a verified account in', async () => {
      const { sut, users, passwords, sessions } = setUp({ emailVerificationRequired: true });
      users.findByEmail.mockResolvedValueOnce(aUser({ isVerified: false }));
      passwords.verify.mockResolvedValueOnce({ valid: false, needsRehash: false });
      await expect(sut.login('alice@example.com', 'wrong', ip)).rejects.toEqual(new DomainError('INCORRECT_LOGIN'));
      users.findByEmail.mockResolvedValueOnce(aUser({ isVerified: true }));
      await sut.login('alice@example.com', 'right password', ip);
      expect(sessions.start).toHaveBeenCalledTimes(1);
    });

    it('lets an unverified account in when verification is not required', async () => {
      const { sut, users, sessions } = setUp();
      users.findByEmail.mockResolvedValueOnce(aUser({ isVerified: false }));
      await sut.login('alice@example.com', 'right password', ip);
      expect(sessions.start).toHaveBeenCalledTimes(1);
    });
  });

  describe('accounts without a password (single sign-on)', () => {
    it('answers a password login as for an unknown email, after the same decoy work', async () => {
      const { sut, users, passwords, steps } = setUp();
      users.findByEmail.mockResolvedValueOnce(aUser({ hashedPassword: null }));
      await expect(sut.login('alice@example.com', 'anything', ip)).rejects.toEqual(new DomainError('INCORRECT_LOGIN'));
      expect(passwords.verify).not.toHaveBeenCalled();
      expect(users.findByEmail).toHaveBeenCalledWith('alice@example.com');
      expect(steps).toEqual(['take', 'verifyDecoy']);
    });

    it('signs in a user proven another way, and refuses an inactive one', async () => {
      const { sut, sessions } = setUp();
      await expect(sut.signInAs(aUser())).resolves.toEqual({
        access_token: 'access(u1,s1)',
        token_type: 'bearer',
        refresh_token: 's1.secret',
        expires_in: 1800,
      });
      await expect(sut.signInAs(aUser({ isActive: false }))).rejects.toEqual(new DomainError('INACTIVE_ACCOUNT'));
      expect(sessions.start).toHaveBeenCalledTimes(1);
    });
  });

  describe('login', () => {
    it("takes a slot of the email's and the address's limits before any password check", async () => {
      const { sut, steps, limits } = setUp();
      await sut.login('Alice@Example.COM', 'right password', ip);
      expect(limits.take).toHaveBeenCalledWith(
        [emailCheck('alice@example.com'), addressCheck('login-ip')],
        'TOO_MANY_LOGIN_FAILURES',
      );
      expect(steps).toEqual(['take', 'findByEmail', 'verify']);
    });

    it('signs in: clears the email count, returns the address slot and issues tokens for a new session', async () => {
      const { sut, users, passwords, limits, sessions, accessTokens } = setUp();
      const tokens = await sut.login('Alice@Example.COM', 'right password', ip);
      expect(passwords.verify).toHaveBeenCalledWith('stored-hash', 'right password');
      expect(limits.reset).toHaveBeenCalledWith(emailCheck('alice@example.com'));
      expect(limits.giveBack).toHaveBeenCalledWith([addressCheck('login-ip')]);
      expect(users.upgradePasswordHash).not.toHaveBeenCalled();
      expect(sessions.start).toHaveBeenCalledWith(expect.objectContaining({ id: 'u1' }));
      expect(accessTokens.sign).toHaveBeenCalledWith('u1', 's1');
      expect(tokens).toEqual({
        access_token: 'access(u1,s1)',
        token_type: 'bearer',
        refresh_token: 's1.secret',
        expires_in: 1800,
      });
    });

    it('refuses without looking at the password once a limit is exhausted', async () => {
      const { sut, users, passwords, limits } = setUp();
      limits.take.mockImplementation(async (_checks, refusal) => {
        throw new DomainError(refusal, { retryAfterSeconds: 60 });
      });
      await expect(sut.login('alice@example.com', 'right password', ip)).rejects.toMatchObject({
        code: 'TOO_MANY_LOGIN_FAILURES',
      });
      expect(users.findByEmail).not.toHaveBeenCalled();
      expect(passwords.verify).not.toHaveBeenCalled();
      expect(passwords.verifyDecoy).not.toHaveBeenCalled();
    });

    it('answers INCORRECT_LOGIN to a wrong password and keeps the slots it took', async () => {
      const { sut, passwords, limits, sessions } = setUp();
      passwords.verify.mockResolvedValue({ valid: false, needsRehash: false });
      await expect(sut.login('alice@example.com', 'wrong password', ip)).rejects.toMatchObject({
        code: 'INCORRECT_LOGIN',
      });
      expect(limits.giveBack).not.toHaveBeenCalled();
      expect(limits.reset).not.toHaveBeenCalled();
      expect(sessions.start).not.toHaveBeenCalled();
    });

    it('answers an unknown email the same way, after verifying the decoy hash', async () => {
      const { sut, steps, users, passwords, limits, sessions } = setUp();
      users.findByEmail.mockResolvedValue(null);
      await expect(sut.login('nobody@example.com', 'any password', ip)).rejects.toMatchObject({
        code: 'INCORRECT_LOGIN',
      });
      expect(passwords.verifyDecoy).toHaveBeenCalledWith('any password');
      expect(passwords.verify).not.toHaveBeenCalled();
      expect(steps).toEqual(['take', 'verifyDecoy']);
      expect(limits.giveBack).not.toHaveBeenCalled();
      expect(sessions.start).not.toHaveBeenCalled();
    });

    it('tells an inactive account only to the right password', async () => {
      const { sut, users, passwords, sessions } = setUp();
      users.findByEmail.mockResolvedValue(aUser({ isActive: false }));
      await expect(sut.login('alice@example.com', 'right password', ip)).rejects.toMatchObject({
        code: 'INACTIVE_ACCOUNT',
      });
      passwords.verify.mockResolvedValue({ valid: false, needsRehash: false });
      await expect(sut.login('alice@example.com', 'wrong password', ip)).rejects.toMatchObject({
        code: 'INCORRECT_LOGIN',
      });
      expect(sessions.start).not.toHaveBeenCalled();
    });

    it('stores a stronger hash of the password when the stored one needs it', async () => {
      const { sut, users, passwords, sessions } = setUp();
      passwords.verify.mockResolvedValue({ valid: true, needsRehash: true });
      await sut.login('alice@example.com', 'right password', ip);
      expect(passwords.hash).toHaveBeenCalledWith('right password');
      expect(users.upgradePasswordHash).toHaveBeenCalledWith(
        expect.objectContaining({ id: 'u1' }),
        'new-hash(right password)',
      );
      expect(sessions.start).toHaveBeenCalledTimes(1);
    });

    it('clears the limits before upgrading the hash, so an upgrade that fails in an outage locks nobody out', async () => {
      const { sut, users, passwords, limits } = setUp();
      passwords.verify.mockResolvedValue({ valid: true, needsRehash: true });
      const outage = databaseDown();
      users.upgradePasswordHash.mockRejectedValue(outage);
      await expect(sut.login('alice@example.com', 'right password', ip)).rejects.toBe(outage);
      expect(limits.reset).toHaveBeenCalledWith(emailCheck('alice@example.com'));
      expect(limits.giveBack).toHaveBeenCalledWith([addressCheck('login-ip')]);
    });

    it('gives both slots back when the lookup fails for another reason than a wrong password', async () => {
      const { sut, users, limits, sessions } = setUp();
      const outage = databaseDown();
      users.findByEmail.mockRejectedValue(outage);
      await expect(sut.login('Alice@Example.COM', 'right password', ip)).rejects.toBe(outage);
      expect(limits.giveBack).toHaveBeenCalledWith([emailCheck('alice@example.com'), addressCheck('login-ip')]);
      expect(limits.reset).not.toHaveBeenCalled();
      expect(sessions.start).not.toHaveBeenCalled();
    });
  });

  describe('refresh', () => {
    it('answers INVALID_CREDENTIALS when the session will not rotate the token', async () => {
      const { sut, sessions, accessTokens } = setUp();
      await expect(sut.refresh('s1.stale')).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
      expect(sessions.rotate).toHaveBeenCalledWith('s1.stale', expect.any(Function));
      expect(accessTokens.sign).not.toHaveBeenCalled();
    });

    it('issues tokens for the rotated session, loading its user through UsersService', async () => {
      const { sut, sessions, users } = setUp();
      sessions.rotate.mockImplementation(async (_token, loadUser) => {
        const user = await loadUser('u1');
        return user && { user, issued: { session: { id: 's1' } as AuthSession, refreshToken: 's1.next' } };
      });
      await expect(sut.refresh('s1.current')).resolves.toEqual({
        access_token: 'access(u1,s1)',
        token_type: 'bearer',
        refresh_token: 's1.next',
        expires_in: 1800,
      });
      expect(users.findById).toHaveBeenCalledWith('u1');
    });
  });

  it('logs out by ending every session of the user', async () => {
    const { sut, sessions } = setUp();
    await sut.logout(aUser());
    expect(sessions.revokeAllOf).toHaveBeenCalledWith('u1');
  });

  describe('changePassword', () => {
    const change = { current_password: 'old password', new_password: 'new password' };

    it("checks the current password after taking a slot of the user's and the address's limits", async () => {
      const { sut, steps, passwords, limits } = setUp();
      await sut.changePassword(aUser(), 's1', change, ip);
      expect(limits.take).toHaveBeenCalledWith(
        [userCheck('u1'), addressCheck('password-change-ip')],
        'TOO_MANY_PASSWORD_FAILURES',
      );
      expect(passwords.verify).toHaveBeenCalledWith('stored-hash', 'old password');
      expect(steps).toEqual(['take', 'verify']);
    });

    it("sets the password, clears the user's count and keeps the caller's session under the new version", async () => {
      const { sut, users, limits, sessions } = setUp();
      await expect(sut.changePassword(aUser(), 's1', change, ip)).resolves.toEqual({ message: PASSWORD_UPDATED });
      expect(limits.reset).toHaveBeenCalledWith(userCheck('u1'));
      expect(limits.giveBack).toHaveBeenCalledWith([addressCheck('password-change-ip')]);
      expect(users.setPassword).toHaveBeenCalledWith(expect.objectContaining({ id: 'u1' }), 'new password');
      expect(sessions.carryOver).toHaveBeenCalledWith('s1', 4);
    });

    it('refuses without checking the password once a limit is exhausted', async () => {
      const { sut, passwords, limits, users } = setUp();
      limits.take.mockImplementation(async (_checks, refusal) => {
        throw new DomainError(refusal, { retryAfterSeconds: 60 });
      });
      await expect(sut.changePassword(aUser(), 's1', change, ip)).rejects.toMatchObject({
        code: 'TOO_MANY_PASSWORD_FAILURES',
      });
      expect(passwords.verify).not.toHaveBeenCalled();
      expect(users.setPassword).not.toHaveBeenCalled();
    });

    it('answers INCORRECT_PASSWORD to a wrong current password, keeping the slots and the password', async () => {
      const { sut, passwords, limits, users, sessions } = setUp();
      passwords.verify.mockResolvedValue({ valid: false, needsRehash: false });
      await expect(sut.changePassword(aUser(), 's1', change, ip)).rejects.toMatchObject({
        code: 'INCORRECT_PASSWORD',
      });
      expect(limits.giveBack).not.toHaveBeenCalled();
      expect(limits.reset).not.toHaveBeenCalled();
      expect(users.setPassword).not.toHaveBeenCalled();
      expect(sessions.carryOver).not.toHaveBeenCalled();
    });

    it('answers SAME_PASSWORD to an unchanged password, after the right password cleared the count', async () => {
      const { sut, limits, users, sessions } = setUp();
      await expect(
        sut.changePassword(aUser(), 's1', { current_password: 'old password', new_password: 'old password' }, ip),
      ).rejects.toMatchObject({ code: 'SAME_PASSWORD' });
      expect(limits.reset).toHaveBeenCalledWith(userCheck('u1'));
      expect(users.setPassword).not.toHaveBeenCalled();
      expect(sessions.carryOver).not.toHaveBeenCalled();
    });

    it('gives both slots back when the check fails for another reason than a wrong password', async () => {
      const { sut, passwords, limits, users } = setUp();
      const failure = new Error('hashing thread crashed');
      passwords.verify.mockRejectedValue(failure);
      await expect(sut.changePassword(aUser(), 's1', change, ip)).rejects.toBe(failure);
      expect(limits.giveBack).toHaveBeenCalledWith([userCheck('u1'), addressCheck('password-change-ip')]);
      expect(limits.reset).not.toHaveBeenCalled();
      expect(users.setPassword).not.toHaveBeenCalled();
    });
  });

  describe('updateProfile', () => {
    it("keeps the caller's session when the update moved the credentials version (a new email)", async () => {
      const { sut, users, sessions } = setUp();
      const user = aUser();
      const updated = aUser({ email: 'new@example.com', credentialsVersion: 4 });
      users.updateMe.mockResolvedValue(updated);
      await expect(sut.updateProfile(user, 's1', { email: 'new@example.com' })).resolves.toBe(updated);
      expect(users.updateMe).toHaveBeenCalledWith(user, { email: 'new@example.com' });
      expect(sessions.carryOver).toHaveBeenCalledWith('s1', 4);
    });

    it('leaves sessions alone when the version did not move', async () => {
      const { sut, users, sessions } = setUp();
      const updated = aUser({ fullName: 'Alice' });
      users.updateMe.mockResolvedValue(updated);
      await expect(sut.updateProfile(aUser(), 's1', { full_name: 'Alice' })).resolves.toBe(updated);
      expect(sessions.carryOver).not.toHaveBeenCalled();
    });

    it('compares with the version from before the update, even when the update changed the user in place', async () => {
      const { sut, users, sessions } = setUp();
      // UsersService merges the changes into the entity it was given (Repository.merge).
      users.updateMe.mockImplementation(async (user) => Object.assign(user, { credentialsVersion: 4 }));
      await sut.updateProfile(aUser(), 's1', { email: 'new@example.com' });
      expect(sessions.carryOver).toHaveBeenCalledWith('s1', 4);
    });
  });
});
