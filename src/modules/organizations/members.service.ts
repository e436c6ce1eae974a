import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { DomainError } from '../../common/errors/domain-error.js';
import { User } from '../users/entities/user.entity.js';
import { Membership } from './entities/membership.entity.js';
import { Organization } from './entities/organization.entity.js';
import { NEEDED_ROLE, type OrganizationRole, roleAtLeast } from './organization-role.js';
import { OrganizationsService } from './organizations.service.js';

export interface Member {
  membership: Membership;
  user: Pick<User, 'id' | 'email' | 'fullName'>;
}

export interface MembersPage {
  members: Member[];
  count: number;
}

/**
 * Who belongs to an organization, and their roles. Every change locks the organization's row
 * first, so changes to one organization's members run one at a time: two owners demoting each
 * other at once cannot both pass the "another owner remains" check.
 */
@Injectable()
export class MembersService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly organizations: OrganizationsService,
  ) {}

  /** Members in the order they joined. */
  async list(caller: User, organizationId: string, skip: number, limit: number): Promise<MembersPage> {
    await this.organizations.require(caller, organizationId, NEEDED_ROLE.read);
    const query = this.dataSource
      .createQueryBuilder(Membership, 'membership')
      .innerJoin(User, 'user', 'user.id = membership.userId')
      .addSelect(['user.id', 'user.email', 'user.fullName'])
      .where('membership.organizationId = :organizationId', { organizationId })
      .orderBy('membership.joinedAt', 'ASC')
      .addOrderBy('membership.userId', 'ASC')
      .offset(skip)
      .limit(limit);
    const [{ entities, raw }, count] = await Promise.all([
      query.getRawAndEntities<{ user_id: string; user_email: string; user_full_name: string | null }>(),
      query.getCount(),
    ]);
    return {
      members: entities.map((membership, index) => ({
        membership,
        user: { id: raw[index].user_id, email: raw[index].user_email, fullName: raw[index].user_full_name },
      })),
      count,
    };
  }

  /**
   * Gives a member another role: owners and admins may, but only an owner may make an owner or
   * change an owner's role, and the last owner keeps theirs.
   */
  async changeRole(caller: User, organizationId: string, userId: string, role: OrganizationRole): Promise<Member> {
    return this.inOrganization(organizationId, async (manager) => {
      const access = await this.organizations.require(caller, organizationId, NEEDED_ROLE.manage, manager);
      const target = await this.memberOf(manager, organizationId, userId);
      if (!roleAtLeast(access.role, 'owner') && (role === 'owner' || target.membership.role === 'owner'))
        throw new DomainError('ORGANIZATION_ROLE_TOO_LOW');
      if (target.membership.role === 'owner' && role !== 'owner') await this.keepAnOwner(manager, organizationId);
      if (target.membership.role !== role) {
        await manager.update(Membership, { organizationId, userId }, { role });
        target.membership.role = role;
      }
      return target;
    });
  }

  /** Removes a member: an owner or an admin may (an owner only by an owner), or the member itself. */
  async remove(caller: User, organizationId: string, userId: string): Promise<void> {
    await this.inOrganization(organizationId, async (manager) => {
      const leaving = userId === caller.id;
      const access = await this.organizations.require(
        caller,
        organizationId,
        leaving ? NEEDED_ROLE.read : NEEDED_ROLE.manage,
        manager,
      );
      const target = await this.memberOf(manager, organizationId, userId);
      if (!leaving && !roleAtLeast(access.role, 'owner') && target.membership.role === 'owner')
        throw new DomainError('ORGANIZATION_ROLE_TOO_LOW');
      if (target.membership.role === 'owner') await this.keepAnOwner(manager, organizationId);
      await manager.delete(Membership, { organizationId, userId });
    });
  }

  /**
   * Adds a member (an accepted invitation); refuses someone who already is one. One statement
   * (INSERT ... ON CONFLICT DO NOTHING): two invitations of one person accepted at once cannot
   * both insert, and the second is told, not a unique-key error.
   */
  async add(manager: EntityManager, organizationId: string, userId: string, role: OrganizationRole): Promise<void> {
    const inserted = await manager
      .createQueryBuilder()
      .insert()
      .into(Membership)
      .values({ organizationId, userId, role })
      .orIgnore()
      .returning(['userId'])
      .execute();
    if ((inserted.raw as unknown[]).length === 0) throw new DomainError('ALREADY_A_MEMBER');
  }

  /**
   * Runs `work` in a transaction that holds the organization's row locked (FOR UPDATE), so that
   * member changes of one organization never interleave.
   */
  async inOrganization<T>(organizationId: string, work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (manager) => {
      const locked = await manager
        .createQueryBuilder(Organization, 'organization')
        .setLock('pessimistic_write')
        .where('organization.id = :organizationId', { organizationId })
        .getOne();
      if (!locked) throw new DomainError('ORGANIZATION_NOT_FOUND');
      return work(manager);
    });
  }

  private async memberOf(manager: EntityManager, organizationId: string, userId: string): Promise<Member> {
    const membership = await manager.findOneBy(Membership, { organizationId, userId });
    if (!membership) throw new DomainError('MEMBER_NOT_FOUND');
    const user = await manager.findOne(User, {
      where: { id: userId },
      select: { id: true, email: true, fullName: true },
    });
    if (!user) throw new DomainError('MEMBER_NOT_FOUND');
    return { membership, user };
  }

  /** Refuses to take away an owner when no other owner would remain. */
  private async keepAnOwner(manager: EntityManager, organizationId: string): Promise<void> {
    const owners = await manager.countBy(Membership, { organizationId, role: 'owner' });
    if (owners <= 1) throw new DomainError('LAST_OWNER');
  }
}
