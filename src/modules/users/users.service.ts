import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { QueryFailedError, type Repository } from 'typeorm';
import { DomainError } from '../../common/errors/domain-error.js';
import { PasswordHasher } from '../../common/security/password-hasher.js';
import { normalizeEmail } from '../../common/validation/email-address.js';
import { AppConfig, emailEnabled } from '../../config/app-config.js';
import { JobQueue } from '../jobs/job-queue.service.js';
import type { CreateUserDto } from './dto/create-user.dto.js';
import type { RegisterUserDto } from './dto/register-user.dto.js';
import type { UpdateMeDto } from './dto/update-me.dto.js';
import type { UpdateUserDto } from './dto/update-user.dto.js';
import { User, whereEmail } from './entities/user.entity.js';
import { UserWrites } from './user-writes.js';

const EMAIL_UNIQUE_INDEX = 'users_email_normalized_key';

export interface UsersPage {
  users: User[];
  count: number;
}

function isEmailConflict(error: unknown): boolean {
  const driverError =
    error instanceof QueryFailedError ? (error.driverError as { code?: string; constraint?: string }) : undefined;
  return driverError?.code === '23505' && driverError.constraint === EMAIL_UNIQUE_INDEX;
}

@Injectable()
export class UsersService {
  private readonly logger = new Logger(UsersService.name);

  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    private readonly passwords: PasswordHasher,
    private readonly jobs: JobQueue,
    private readonly config: AppConfig,
    private readonly writes: UserWrites,
  ) {}

  findById(id: string): Promise<User | null> {
    return this.users.findOneBy({ id });
  }

  findByEmail(email: string): Promise<User | null> {
    const where = whereEmail(email);
    return where ? this.users.findOneBy(where) : Promise.resolve(null);
  }

  async list(skip: number, limit: number): Promise<UsersPage> {
    const [users, count] = await this.users.findAndCount({
      order: { createdAt: 'DESC', id: 'DESC' },
      skip,
      take: limit,
    });
    return { users, count };
  }

  /** A user as seen by `caller`: themselves always, anyone else only by a superuser. */
  async findVisible(caller: User, id: string): Promise<User> {
    if (id === caller.id) return caller;
    if (!caller.isSuperuser) throw new DomainError('NOT_ENOUGH_PRIVILEGES');
    const user = await this.findById(id);
    if (!user) throw new DomainError('USER_NOT_FOUND');
    return user;
  }

  /** Creates an account; a welcome email is queued when email is configured. */
  async create(input: CreateUserDto): Promise<User> {
    const user = await this.insert(
      {
        email: input.email,
        fullName: input.full_name ?? null,
        hashedPassword: await this.passwords.hash(input.password),
        isActive: input.is_active ?? true,
        isSuperuser: input.is_superuser ?? false,
        // A superuser vouches for the address of an account they make.
        isVerified: true,
      },
      'EMAIL_TAKEN_ON_CREATE',
    );
    if (emailEnabled(this.config)) {
      const content = {
        template: 'new-account' as const,
        projectName: this.config.projectName,
        email: user.email,
        loginLink: this.config.frontendHost,
      };
      // The account exists either way; a queue outage only costs the welcome email.
      await this.jobs
        .sendEmail({ to: user.email, content })
        .catch((error: Error) => this.logger.warn(`welcome email for ${user.id} not queued: ${error.message}`));
    }
    return user;
  }

  /**
   * Sets a new password if the user's credentials have not changed since `expectedVersion`
   * (a password reset token works once); ends every session. False when they had changed.
   */
  async resetPassword(user: User, password: string, expectedVersion: number): Promise<boolean> {
    const hashedPassword = await this.passwords.hash(password);
    const result = await this.writes.change(user.id, () =>
      this.users.update(
        { id: user.id, credentialsVersion: expectedVersion },
        { hashedPassword, credentialsVersion: expectedVersion + 1 },
      ),
    );
    return Boolean(result.affected);
  }

  async register(input: RegisterUserDto, openRegistration: boolean): Promise<User> {
    if (!openRegistration) throw new DomainError('REGISTRATION_CLOSED');
    const user = await this.insert(
      {
        email: input.email,
        fullName: input.full_name ?? null,
        hashedPassword: await this.passwords.hash(input.password),
        isActive: true,
        isSuperuser: false,
        isVerified: false,
      },
      'EMAIL_TAKEN_ON_SIGNUP',
    );
    await this.queueVerificationEmail(user);
    return user;
  }

  /**
   * An account for a person an identity provider vouches for: verified, active, and without a
   * password (they sign in through the provider, or set one by password recovery).
   */
  createFromIdentity(email: string, fullName: string | null): Promise<User> {
    return this.insert(
      { email, fullName, hashedPassword: null, isActive: true, isSuperuser: false, isVerified: true },
      'EMAIL_TAKEN_ON_SIGNUP',
    );
  }

  /**
   * An identity provider has verified the address of an account that had not: the account is now
   * verified, and a password set before that is dropped with every session made with it, since
   * whoever chose it never proved they own the address (it may be someone claiming it first).
   */
  async confirmEmailByIdentity(user: User): Promise<User> {
    if (user.isVerified) return user;
    await this.writes.change(user.id, () =>
      this.users.update(
        { id: user.id, isVerified: false },
        { isVerified: true, hashedPassword: null, credentialsVersion: () => 'credentials_version + 1' },
      ),
    );
    return (await this.findById(user.id)) ?? user;
  }

  /**
   * Marks the user verified if their address is still the one a link was sent to and they were not
   * yet verified: one conditional UPDATE, so a link works once even when used twice at once.
   */
  async markVerified(userId: string, emailNormalized: string): Promise<boolean> {
    const result = await this.writes.change(userId, () =>
      this.users.update({ id: userId, emailNormalized, isVerified: false }, { isVerified: true }),
    );
    return Boolean(result.affected);
  }

  /** Queues the verification email of a user's current address, when email is configured. */
  async queueVerificationEmail(user: User): Promise<void> {
    if (!emailEnabled(this.config)) return;
    // The account or its new address stands either way; an outage costs the email, which can be asked again.
    await this.jobs
      .requestEmailVerification({ userId: user.id })
      .catch((error: Error) => this.logger.warn(`verification email for ${user.id} not queued: ${error.message}`));
  }

  /**
   * A new email is a credential change (the address password recovery writes to): the
   * credentials version moves on, which voids reset links sent to the old address and ends
   * the user's sessions (AuthService keeps the caller's).
   */
  async updateMe(user: User, input: UpdateMeDto): Promise<User> {
    const changes: Partial<User> = {};
    if (input.full_name !== undefined) changes.fullName = input.full_name;
    if (input.email !== undefined && input.email !== user.email) {
      changes.email = input.email;
      changes.credentialsVersion = user.credentialsVersion + 1;
      changes.isVerified = false;
    }
    const updated = await this.apply(user, changes);
    if (changes.email !== undefined) await this.queueVerificationEmail(updated);
    return updated;
  }

  async update(id: string, input: UpdateUserDto): Promise<User> {
    const user = await this.findById(id);
    if (!user) throw new DomainError('NO_SUCH_USER_ID');
    const changes: Partial<User> = {};
    if (input.email !== undefined && input.email !== user.email) {
      changes.email = input.email;
      changes.isVerified = true;
    }
    if (input.full_name !== undefined) changes.fullName = input.full_name;
    if (input.is_superuser !== undefined) changes.isSuperuser = input.is_superuser;
    if (input.is_active !== undefined) changes.isActive = input.is_active;
    if (input.password !== undefined) changes.hashedPassword = await this.passwords.hash(input.password);
    // A new password or email, or a deactivation, ends every session the user has and every
    // reset link sent to them.
    if (
      changes.hashedPassword !== undefined ||
      changes.email !== undefined ||
      (user.isActive && changes.isActive === false)
    ) {
      changes.credentialsVersion = user.credentialsVersion + 1;
    }
    return this.apply(user, changes);
  }

  /**
   * Stores a new password hash and ends the user's sessions (their credentials version moves
   * on); returns the new version, under which a session may be kept or issued.
   */
  async setPassword(user: User, password: string): Promise<number> {
    const hashedPassword = await this.passwords.hash(password);
    const updated = await this.apply(user, { hashedPassword, credentialsVersion: user.credentialsVersion + 1 });
    return updated.credentialsVersion;
  }

  /** Replaces a hash by a stronger one of the same password; sessions are unaffected. */
  async upgradePasswordHash(user: User, hashedPassword: string): Promise<void> {
    await this.writes.change(user.id, () => this.users.update({ id: user.id }, { hashedPassword }));
  }

  async deleteMe(user: User): Promise<void> {
    if (user.isSuperuser) throw new DomainError('SUPERUSER_SELF_DELETE');
    await this.writes.delete(user.id, () => this.users.delete({ id: user.id }));
  }

  async delete(caller: User, id: string): Promise<void> {
    const user = await this.findById(id);
    if (!user) throw new DomainError('USER_NOT_FOUND');
    if (user.id === caller.id) throw new DomainError('SUPERUSER_SELF_DELETE');
    // Owned rows (sessions, items) go with the user through ON DELETE CASCADE, atomically.
    await this.writes.delete(user.id, () => this.users.delete({ id: user.id }));
  }

  /**
   * Creates the configured first superuser unless a user with that email exists. Safe when
   * several processes start at once: the unique index decides, the losers do nothing.
   */
  async ensureFirstSuperuser(email: string, password: string): Promise<boolean> {
    if (await this.findByEmail(email)) return false;
    const hashedPassword = await this.passwords.hash(password);
    const result = await this.writes.create(() =>
      this.users
        .createQueryBuilder()
        .insert()
        .values({
          email,
          emailNormalized: normalizeEmail(email),
          hashedPassword,
          fullName: null,
          isActive: true,
          isSuperuser: true,
          isVerified: true,
        })
        .orIgnore()
        .execute(),
    );
    return Array.isArray(result.raw) && result.raw.length > 0;
  }

  private async insert(
    values: Partial<User> & { email: string },
    emailTaken: 'EMAIL_TAKEN_ON_CREATE' | 'EMAIL_TAKEN_ON_SIGNUP',
  ): Promise<User> {
    if (await this.findByEmail(values.email)) throw new DomainError(emailTaken);
    try {
      return await this.writes.create(() =>
        this.users.save(this.users.create({ ...values, emailNormalized: normalizeEmail(values.email) })),
      );
    } catch (error) {
      if (isEmailConflict(error)) throw new DomainError(emailTaken);
      throw error;
    }
  }

  private async apply(user: User, changes: Partial<User>): Promise<User> {
    if (Object.keys(changes).length === 0) return user;
    if (changes.email !== undefined) {
      changes.emailNormalized = normalizeEmail(changes.email);
      const owner = await this.findByEmail(changes.email);
      if (owner && owner.id !== user.id) throw new DomainError('EMAIL_TAKEN_ON_UPDATE');
    }
    let saved: User;
    try {
      saved = await this.writes.change(user.id, () => this.users.save(this.users.merge(user, changes)));
    } catch (error) {
      if (isEmailConflict(error)) throw new DomainError('EMAIL_TAKEN_ON_UPDATE');
      throw error;
    }
    return saved;
  }
}
