import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, type Repository } from 'typeorm';
import { DomainError } from '../../common/errors/domain-error.js';
import { AppConfig } from '../../config/app-config.js';
import { User } from '../users/entities/user.entity.js';
import { UsersService } from '../users/users.service.js';
import { UserIdentity } from './entities/user-identity.entity.js';

/** What a provider proved at a sign-in: who the person is there, and their verified email. */
export interface ProvenIdentity {
  provider: string;
  issuer: string;
  subject: string;
  email: string;
  fullName: string | null;
}

/** Identities at OpenID providers and the accounts they sign in to. */
@Injectable()
export class IdentitiesService {
  constructor(
    @InjectRepository(UserIdentity) private readonly identities: Repository<UserIdentity>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly users: UsersService,
    private readonly config: AppConfig,
  ) {}

  /**
   * The account an identity signs in to. A linked identity is found by (issuer, subject), whatever
   * its email has become. A first sign-in links to the account with that email, or creates one
   * (unless OIDC_AUTO_CREATE is off: 403). Two first sign-ins at once link once: the unique
   * (issuer, subject) index decides, and the loser signs in to the winner's account.
   */
  async accountFor(proven: ProvenIdentity): Promise<User> {
    const linked = await this.identities.findOneBy({ issuer: proven.issuer, subject: proven.subject });
    if (linked) {
      await this.identities.update({ id: linked.id }, { email: proven.email, lastSignInAt: new Date() });
      return this.accountOf(linked);
    }
    const account = (await this.users.findByEmail(proven.email)) ?? (await this.newAccount(proven));
    const inserted = await this.identities
      .createQueryBuilder()
      .insert()
      .values({
        userId: account.id,
        provider: proven.provider,
        issuer: proven.issuer,
        subject: proven.subject,
        email: proven.email,
        lastSignInAt: new Date(),
      })
      .orIgnore()
      .execute();
    if (!Array.isArray(inserted.raw) || inserted.raw.length === 0) {
      const winner = await this.identities.findOneByOrFail({ issuer: proven.issuer, subject: proven.subject });
      return this.accountOf(winner);
    }
    return this.users.confirmEmailByIdentity(account);
  }

  /** The caller's linked identities, oldest first. */
  list(user: User): Promise<UserIdentity[]> {
    return this.identities.find({ where: { userId: user.id }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /**
   * Unlinks one of the caller's identities, unless the account has no password and it is the last
   * one (nothing would sign in to it). The user's row is locked first, so two unlinks at once of
   * the last two identities leave one.
   */
  async unlink(user: User, id: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const account = await manager.findOne(User, { where: { id: user.id }, lock: { mode: 'pessimistic_write' } });
      const identities = await manager.find(UserIdentity, { where: { userId: user.id } });
      if (!account || !identities.some((identity) => identity.id === id)) throw new DomainError('IDENTITY_NOT_FOUND');
      if (account.hashedPassword === null && identities.length === 1) throw new DomainError('LAST_SIGN_IN_METHOD');
      await manager.delete(UserIdentity, { id, userId: user.id });
    });
  }

  private async newAccount(proven: ProvenIdentity): Promise<User> {
    if (!this.config.oidcAutoCreate) throw new DomainError('NO_ACCOUNT_FOR_IDENTITY');
    try {
      return await this.users.createFromIdentity(proven.email, proven.fullName);
    } catch (error) {
      // The address got an account meanwhile (a signup, or this person's sign-in in another tab): link to it.
      const existing = error instanceof DomainError ? await this.users.findByEmail(proven.email) : null;
      if (!existing) throw error;
      return existing;
    }
  }

  private async accountOf(identity: UserIdentity): Promise<User> {
    const user = await this.users.findById(identity.userId);
    // The identity's row goes with its user (ON DELETE CASCADE): a user deleted just now.
    if (!user) throw new DomainError('INVALID_CODE');
    return user;
  }
}
