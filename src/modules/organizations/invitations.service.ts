import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, IsNull, type Repository } from 'typeorm';
import { DomainError } from '../../common/errors/domain-error.js';
import { normalizeEmail } from '../../common/validation/email-address.js';
import { AppConfig } from '../../config/app-config.js';
import { JobQueue } from '../jobs/job-queue.service.js';
import { User } from '../users/entities/user.entity.js';
import type { CreateInvitationDto } from './dto/invitation.dto.js';
import { Invitation } from './entities/invitation.entity.js';
import { Membership } from './entities/membership.entity.js';
import { MembersService } from './members.service.js';
import { NEEDED_ROLE, roleAtLeast } from './organization-role.js';
import { type OrganizationAccess, OrganizationsService } from './organizations.service.js';

export interface InvitationsPage {
  invitations: Invitation[];
  count: number;
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * Invitations to an organization: made by owners and admins, mailed through the worker with a
 * single-use link, accepted by the account with the invited address. Only a token's hash is
 * stored; a revoked invitation is deleted.
 */
@Injectable()
export class InvitationsService {
  constructor(
    @InjectRepository(Invitation) private readonly invitations: Repository<Invitation>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly organizations: OrganizationsService,
    private readonly members: MembersService,
    private readonly jobs: JobQueue,
    private readonly config: AppConfig,
  ) {}

  /**
   * Invites an address (an account need not exist yet). The email is queued before the
   * invitation commits: when the queue is down, no invitation is left that nobody could accept.
   */
  async invite(caller: User, organizationId: string, input: CreateInvitationDto): Promise<Invitation> {
    const access = await this.organizations.require(caller, organizationId, NEEDED_ROLE.manage);
    if (input.role === 'owner' && !roleAtLeast(access.role, 'owner'))
      throw new DomainError('ORGANIZATION_ROLE_TOO_LOW');
    const emailNormalized = normalizeEmail(input.email);
    const member = await this.dataSource
      .createQueryBuilder(Membership, 'membership')
      .innerJoin(User, 'user', 'user.id = membership.userId')
      .where('membership.organizationId = :organizationId', { organizationId })
      .andWhere('user.emailNormalized = :emailNormalized', { emailNormalized })
      .getExists();
    if (member) throw new DomainError('ALREADY_A_MEMBER');

    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + this.config.invitationExpireHours * 3600_000);
    return this.dataSource.transaction(async (manager) => {
      const invitation = await manager.save(
        manager.create(Invitation, {
          organizationId,
          email: input.email,
          emailNormalized,
          role: input.role,
          tokenHash: hashToken(token),
          expiresAt,
        }),
      );
      await this.jobs.sendEmail({ to: input.email, content: this.email(caller, access, invitation, token) });
      return invitation;
    });
  }

  /** Invitations not yet accepted, newest first (expired ones included, until revoked). */
  async list(caller: User, organizationId: string, skip: number, limit: number): Promise<InvitationsPage> {
    await this.organizations.require(caller, organizationId, NEEDED_ROLE.manage);
    const [invitations, count] = await this.invitations.findAndCount({
      where: { organizationId, acceptedAt: IsNull() },
      order: { createdAt: 'DESC', id: 'DESC' },
      skip,
      take: limit,
    });
    return { invitations, count };
  }

  async revoke(caller: User, organizationId: string, invitationId: string): Promise<void> {
    await this.organizations.require(caller, organizationId, NEEDED_ROLE.manage);
    const { affected } = await this.invitations.delete({ id: invitationId, organizationId, acceptedAt: IsNull() });
    if (!affected) throw new DomainError('INVITATION_NOT_FOUND');
  }

  /**
   * Makes the caller a member with the invited role. The invitation's row is locked while it is
   * checked and used, so two accepts of one token cannot both succeed; one for another address
   * is refused and stays usable.
   */
  async accept(caller: User, token: string): Promise<OrganizationAccess> {
    return this.dataSource.transaction(async (manager) => {
      const invitation = await manager
        .createQueryBuilder(Invitation, 'invitation')
        .setLock('pessimistic_write')
        .where('invitation.tokenHash = :tokenHash', { tokenHash: hashToken(token) })
        .andWhere('invitation.acceptedAt IS NULL')
        .andWhere('invitation.expiresAt > now()')
        .getOne();
      if (!invitation) throw new DomainError('INVALID_INVITATION');
      if (invitation.emailNormalized !== caller.emailNormalized) throw new DomainError('INVITATION_FOR_ANOTHER_EMAIL');
      await this.members.add(manager, invitation.organizationId, caller.id, invitation.role);
      await manager.update(Invitation, { id: invitation.id }, { acceptedAt: new Date() });
      const organization = await this.organizations.find(invitation.organizationId, manager);
      return { organization, role: invitation.role };
    });
  }

  private email(caller: User, access: OrganizationAccess, invitation: Invitation, token: string) {
    return {
      template: 'invitation' as const,
      projectName: this.config.projectName,
      organizationName: access.organization.name,
      role: invitation.role,
      inviter: caller.fullName ?? caller.email,
      acceptLink: `${this.config.frontendHost}/accept-invitation?token=${encodeURIComponent(token)}`,
      validHours: this.config.invitationExpireHours,
    };
  }
}
