import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, type EntityManager, type Repository } from 'typeorm';
import { DomainError } from '../../common/errors/domain-error.js';
import type { User } from '../users/entities/user.entity.js';
import { Membership } from './entities/membership.entity.js';
import { Organization } from './entities/organization.entity.js';
import { NEEDED_ROLE, type OrganizationRole, roleAtLeast } from './organization-role.js';

/** An organization as one caller sees it: with the caller's role in it. */
export interface OrganizationAccess {
  organization: Organization;
  role: OrganizationRole;
}

export interface OrganizationsPage {
  organizations: OrganizationAccess[];
  count: number;
}

/**
 * Organizations and who may do what in them. A non-member (and an unknown id) is told the
 * organization is not found, never that it exists; a superuser acts as an owner everywhere.
 * Roles are read from PostgreSQL on every request, so a removal or a demotion holds from the
 * next request on, in every API process.
 */
@Injectable()
export class OrganizationsService {
  constructor(
    @InjectRepository(Organization) private readonly organizations: Repository<Organization>,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  /** The caller's access to an organization, refused unless their role is at least `needed`. */
  async require(
    caller: User,
    organizationId: string,
    needed: OrganizationRole,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<OrganizationAccess> {
    const access = await this.accessOf(caller, organizationId, manager);
    if (!roleAtLeast(access.role, needed)) throw new DomainError('ORGANIZATION_ROLE_TOO_LOW');
    return access;
  }

  private async accessOf(caller: User, organizationId: string, manager: EntityManager): Promise<OrganizationAccess> {
    const row = await manager
      .createQueryBuilder(Organization, 'organization')
      .leftJoin(
        Membership,
        'membership',
        'membership.organizationId = organization.id AND membership.userId = :userId',
        {
          userId: caller.id,
        },
      )
      .addSelect('membership.role', 'role')
      .where('organization.id = :organizationId', { organizationId })
      .getRawAndEntities<{ role: OrganizationRole | null }>();
    const organization = row.entities[0];
    const role = row.raw[0]?.role ?? null;
    if (!organization || (role === null && !caller.isSuperuser)) throw new DomainError('ORGANIZATION_NOT_FOUND');
    return { organization, role: caller.isSuperuser ? 'owner' : role! };
  }

  /** An organization by id, for a caller whose access is already settled. */
  async find(organizationId: string, manager: EntityManager = this.dataSource.manager): Promise<Organization> {
    const organization = await manager.findOneBy(Organization, { id: organizationId });
    if (!organization) throw new DomainError('ORGANIZATION_NOT_FOUND');
    return organization;
  }

  async create(caller: User, name: string): Promise<OrganizationAccess> {
    return this.dataSource.transaction(async (manager) => {
      const organization = await manager.save(manager.create(Organization, { name }));
      await manager.insert(Membership, { organizationId: organization.id, userId: caller.id, role: 'owner' });
      return { organization, role: 'owner' };
    });
  }

  /** The caller's organizations, newest first (a superuser's: all of them). */
  async list(caller: User, skip: number, limit: number): Promise<OrganizationsPage> {
    const query = this.organizations
      .createQueryBuilder('organization')
      .orderBy('organization.createdAt', 'DESC')
      .addOrderBy('organization.id', 'DESC')
      .offset(skip)
      .limit(limit);
    if (caller.isSuperuser) {
      const [organizations, count] = await query.getManyAndCount();
      return { organizations: organizations.map((organization) => ({ organization, role: 'owner' })), count };
    }
    query
      .innerJoin(
        Membership,
        'membership',
        'membership.organizationId = organization.id AND membership.userId = :userId',
        {
          userId: caller.id,
        },
      )
      .addSelect('membership.role', 'role');
    const [{ entities, raw }, count] = await Promise.all([
      query.getRawAndEntities<{ role: OrganizationRole }>(),
      query.getCount(),
    ]);
    return { organizations: entities.map((organization, index) => ({ organization, role: raw[index].role })), count };
  }

  async rename(caller: User, organizationId: string, name: string): Promise<OrganizationAccess> {
    const access = await this.require(caller, organizationId, NEEDED_ROLE.manage);
    access.organization.name = name;
    await this.organizations.save(access.organization);
    return access;
  }

  /** Deletes the organization with its items, memberships and invitations (ON DELETE CASCADE). */
  async delete(caller: User, organizationId: string): Promise<void> {
    await this.require(caller, organizationId, NEEDED_ROLE.delete);
    await this.organizations.delete({ id: organizationId });
  }
}
