import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { JobsModule } from '../jobs/jobs.module.js';
import { Invitation } from './entities/invitation.entity.js';
import { Membership } from './entities/membership.entity.js';
import { Organization } from './entities/organization.entity.js';
import { InvitationsService } from './invitations.service.js';
import { MembersService } from './members.service.js';
import { InvitationsController, OrganizationsController } from './organizations.controller.js';
import { OrganizationsService } from './organizations.service.js';

/** Organizations, their members' roles and invitations. OrganizationsService checks roles for other modules. */
@Module({
  imports: [TypeOrmModule.forFeature([Organization, Membership, Invitation]), JobsModule],
  controllers: [OrganizationsController, InvitationsController],
  providers: [OrganizationsService, MembersService, InvitationsService],
  exports: [OrganizationsService],
})
export class OrganizationsModule {}
