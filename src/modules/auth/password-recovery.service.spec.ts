import { jest } from '@jest/globals';
import { JwtService } from '@nestjs/jwt';
import { DomainError, type DomainErrorCode } from '../../common/errors/domain-error.js';
import type { AttemptLimits, LimitCheck } from '../../common/rate-limit/attempt-limits.js';
import type { AppConfig } from '../../config/app-config.js';
import type { JobQueue } from '../jobs/job-queue.service.js';
import type { PasswordResetJob } from '../jobs/queues.js';
import type { EmailTemplate } from '../mail/templates.js';
import type { User } from '../users/entities/user.entity.js';
import type { UsersService } from '../users/users.service.js';
import { ACCESS_TOKEN_TYPE } from './access-tokens.js';
import { PASSWORD_UPDATED } from './auth.service.js';
import { PasswordRecoveryService } from './password-recovery.service.js';
import { type PasswordResetMail, RESET_TOKEN_TYPE } from './password-reset-mail.js';

const secret = 'a secret key of this unit test, long enough';
const config = {
  secretKey: secret,
  recoveryMaxPerEmail: 3,
  recoveryMaxPerIp: 20,
  recoveryWindowSeconds: 3600,
} as AppConfig;
const RECOVERY_SENT = 'If that email is registered, we sent a password recovery link';

/** Limits, queueing and the reset token's checks; tokens are real JWTs, the worker and database are the e2e tests'. */
describe(PasswordRecoveryService.name, () => {
  const ip = '203.0.113.7';
  const jwt = new JwtService({ secret });
  const aUser = (fields: Partial<User> = {}) =>
    ({ id: 'u1', email: 'alice@example.com', isActive: true, credentialsVersion: 4, ...fields }) as User;
  /** A reset token as PasswordResetMail makes it, or with the claims changed. */
  const resetToken = (claims: Record<string, unknown> = {}, options: { expiresIn?: number; secret?: string } = {}) =>
    jwt.signAsync(
      { sub: 'u1', typ: RESET_TOKEN_TYPE, ver: 4, ...claims },
      { secret: options.secret ?? secret, ...('expiresIn' in options ? {} : { expiresIn: 3600 }) },
    );

  function setUp() {
    const users = {
      findById: jest.fn(async (_id: string): Promise<User | null> => aUser()),
      findByEmail: jest.fn(async (_email: string): Promise<User | null> => aUser()),
      resetPassword: jest.fn(async (_user: User, _password: string, _version: number) => true),
    };
    const jobs = { requestPasswordReset: jest.fn(async (_job: PasswordResetJob) => 'job-1') };
    const limits = {
      take: jest.fn(async (_checks: LimitCheck[], _refusal: DomainErrorCode) => undefined),
      giveBack: jest.fn(async (_checks: LimitCheck[]) => undefined),
    };
    const resetMail = {
      compose: jest.fn(async (_email: string): Promise<{ to: string; content: EmailTemplate } | null> => null),
    };
    const sut = new PasswordRecoveryService(
      users as unknown as UsersService,
      jobs as unknown as JobQueue,
      jwt,
      limits as unknown as AttemptLimits,
      resetMail as unknown as PasswordResetMail,
      config,
    );
    return { sut, users, jobs, limits, resetMail };
  }

  describe('requestReset', () => {
    it.each([
      ['a registered address', 'Alice@Example.COM', 'alice@example.com'],
      ['an unknown address', 'Nobody@Example.com', 'nobody@example.com'],
    ])("answers %s alike: takes the address's and the client's limits and queues a job", async (_case, email, key) => {
      const { sut, users, jobs, limits, resetMail } = setUp();
      await expect(sut.requestReset(email, ip)).resolves.toEqual({ message: RECOVERY_SENT });
      expect(limits.take).toHaveBeenCalledWith(
        [
          { rule: { name: 'recovery-email', points: 3, durationSeconds: 3600 }, subject: key },
          { rule: { name: 'recovery-ip', points: 20, durationSeconds: 3600 }, subject: ip },
        ],
        'TOO_MANY_RECOVERY_REQUESTS',
      );
      expect(jobs.requestPasswordReset).toHaveBeenCalledWith({ email });
      expect(limits.take.mock.invocationCallOrder[0]).toBeLessThan(
        jobs.requestPasswordReset.mock.invocationCallOrder[0],
      );
      // Whether the address is registered is the worker's business, out of this request's time.
      expect(users.findByEmail).not.toHaveBeenCalled();
      expect(resetMail.compose).not.toHaveBeenCalled();
    });

    it('answers TOO_MANY_RECOVERY_REQUESTS from the limiter and queues nothing', async () => {
      const { sut, jobs, limits } = setUp();
      limits.take.mockImplementation(async (_checks, refusal) => {
        throw new DomainError(refusal, { retryAfterSeconds: 120 });
      });
      await expect(sut.requestReset('alice@example.com', ip)).rejects.toMatchObject({
        code: 'TOO_MANY_RECOVERY_REQUESTS',
        context: { retryAfterSeconds: 120 },
      });
      expect(jobs.requestPasswordReset).not.toHaveBeenCalled();
    });

    it('gives the slots back when the job cannot be queued, so an outage counts no attempt', async () => {
      const { sut, jobs, limits } = setUp();
      jobs.requestPasswordReset.mockRejectedValue(new DomainError('QUEUE_UNAVAILABLE', { retryAfterSeconds: 5 }));
      await expect(sut.requestReset('alice@example.com', ip)).rejects.toMatchObject({ code: 'QUEUE_UNAVAILABLE' });
      expect(limits.giveBack).toHaveBeenCalledWith(limits.take.mock.calls[0][0]);
    });
  });

  describe('resetPassword', () => {
    it('sets the new password under the version the token was made for', async () => {
      const { sut, users } = setUp();
      await expect(sut.resetPassword(await resetToken(), 'new password')).resolves.toEqual({
        message: PASSWORD_UPDATED,
      });
      expect(users.findById).toHaveBeenCalledWith('u1');
      expect(users.resetPassword).toHaveBeenCalledWith(expect.objectContaining({ id: 'u1' }), 'new password', 4);
    });

    it.each<[string, () => Promise<string>]>([
      ['is not a JWT', async () => 'not.a.token'],
      ['is signed with another key', () => resetToken({}, { secret: 'another secret key, just as long as ours' })],
      ['has expired', () => resetToken({ exp: Math.floor(Date.now() / 1000) - 60 }, { expiresIn: undefined })],
      ['never expires', () => resetToken({}, { expiresIn: undefined })],
      ['is an access token', () => resetToken({ typ: ACCESS_TOKEN_TYPE, sid: 's1' })],
      ['has no user', () => resetToken({ sub: undefined })],
      ['has no version', () => resetToken({ ver: '4' })],
    ])('answers INVALID_TOKEN to a token that %s, without looking the user up', async (_case, token) => {
      const { sut, users } = setUp();
      await expect(sut.resetPassword(await token(), 'new password')).rejects.toMatchObject({ code: 'INVALID_TOKEN' });
      expect(users.findById).not.toHaveBeenCalled();
      expect(users.resetPassword).not.toHaveBeenCalled();
    });

    it('answers INVALID_TOKEN for a user that is gone', async () => {
      const { sut, users } = setUp();
      users.findById.mockResolvedValue(null);
      await expect(sut.resetPassword(await resetToken(), 'new password')).rejects.toMatchObject({
        code: 'INVALID_TOKEN',
      });
      expect(users.resetPassword).not.toHaveBeenCalled();
    });

    it('answers INACTIVE_ACCOUNT for an inactive user, before looking at the version', async () => {
      const { sut, users } = setUp();
      users.findById.mockResolvedValue(aUser({ isActive: false, credentialsVersion: 5 }));
      await expect(sut.resetPassword(await resetToken(), 'new password')).rejects.toMatchObject({
        code: 'INACTIVE_ACCOUNT',
      });
      expect(users.resetPassword).not.toHaveBeenCalled();
    });

    it('answers INVALID_TOKEN to a token whose credentials version has moved on (spent)', async () => {
      const { sut, users } = setUp();
      users.findById.mockResolvedValue(aUser({ credentialsVersion: 5 }));
      await expect(sut.resetPassword(await resetToken(), 'new password')).rejects.toMatchObject({
        code: 'INVALID_TOKEN',
      });
      expect(users.resetPassword).not.toHaveBeenCalled();
    });

    it('answers INVALID_TOKEN when the version moved between the check and the write', async () => {
      const { sut, users } = setUp();
      users.resetPassword.mockResolvedValue(false);
      await expect(sut.resetPassword(await resetToken(), 'new password')).rejects.toMatchObject({
        code: 'INVALID_TOKEN',
      });
      expect(users.resetPassword).toHaveBeenCalledWith(expect.objectContaining({ id: 'u1' }), 'new password', 4);
    });
  });

  describe('previewResetEmail', () => {
    it('answers NO_SUCH_USERNAME (404) for an address without an account', async () => {
      const { sut, resetMail } = setUp();
      await expect(sut.previewResetEmail('nobody@example.com')).rejects.toMatchObject({ code: 'NO_SUCH_USERNAME' });
      expect(resetMail.compose).toHaveBeenCalledWith('nobody@example.com');
    });

    it("renders the account's reset email as HTML", async () => {
      const { sut, resetMail } = setUp();
      resetMail.compose.mockResolvedValue({
        to: 'alice@example.com',
        content: {
          template: 'password-reset',
          projectName: 'Test Project',
          email: 'alice@example.com',
          resetLink: 'https://app.example.com/reset-password?token=abc',
          validHours: 48,
        },
      });
      const html = await sut.previewResetEmail('alice@example.com');
      expect(html).toContain('href="https://app.example.com/reset-password?token=abc"');
      expect(html).toContain('<strong>alice@example.com</strong>');
      expect(html).toContain('valid for 48 hours');
    });
  });
});
