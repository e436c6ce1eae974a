import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '../../common/auth/principal.js';
import { PageQueryDto } from '../../common/http/page-query.dto.js';
import { UuidParamPipe } from '../../common/validation/uuid-param.pipe.js';
import type { User } from '../users/entities/user.entity.js';
import {
  AcceptInvitationDto,
  CreateInvitationDto,
  InvitationResponseDto,
  InvitationsPageDto,
} from './dto/invitation.dto.js';
import { MemberResponseDto, MembersPageDto, UpdateMemberDto } from './dto/member.dto.js';
import {
  CreateOrganizationDto,
  OrganizationResponseDto,
  OrganizationsPageDto,
  UpdateOrganizationDto,
} from './dto/organization.dto.js';
import { InvitationsService } from './invitations.service.js';
import { MembersService } from './members.service.js';
import { NEEDED_ROLE } from './organization-role.js';
import { OrganizationsService } from './organizations.service.js';

@ApiTags('organizations')
@Controller('organizations')
export class OrganizationsController {
  constructor(
    private readonly organizations: OrganizationsService,
    private readonly members: MembersService,
    private readonly invitations: InvitationsService,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Create an organization; the caller becomes its owner' })
  @ApiCreatedResponse({ type: OrganizationResponseDto })
  async create(@CurrentUser() caller: User, @Body() input: CreateOrganizationDto): Promise<OrganizationResponseDto> {
    return OrganizationResponseDto.from(await this.organizations.create(caller, input.name));
  }

  @Get()
  @ApiOperation({ summary: 'List your organizations (all of them for a superuser), newest first' })
  @ApiOkResponse({ type: OrganizationsPageDto })
  async list(@CurrentUser() caller: User, @Query() page: PageQueryDto): Promise<OrganizationsPageDto> {
    const { organizations, count } = await this.organizations.list(caller, page.skip, page.limit);
    return { data: organizations.map(OrganizationResponseDto.from), count };
  }

  @Get(':org_id')
  @ApiOperation({ summary: 'Read an organization (members only)' })
  @ApiOkResponse({ type: OrganizationResponseDto })
  async findOne(
    @CurrentUser() caller: User,
    @Param('org_id', UuidParamPipe) organizationId: string,
  ): Promise<OrganizationResponseDto> {
    return OrganizationResponseDto.from(await this.organizations.require(caller, organizationId, NEEDED_ROLE.read));
  }

  @Patch(':org_id')
  @ApiOperation({ summary: 'Rename an organization (owners and admins)' })
  @ApiOkResponse({ type: OrganizationResponseDto })
  async update(
    @CurrentUser() caller: User,
    @Param('org_id', UuidParamPipe) organizationId: string,
    @Body() input: UpdateOrganizationDto,
  ): Promise<OrganizationResponseDto> {
    const access =
      input.name === undefined
        ? await this.organizations.require(caller, organizationId, NEEDED_ROLE.manage)
        : await this.organizations.rename(caller, organizationId, input.name);
    return OrganizationResponseDto.from(access);
  }

  @Delete(':org_id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete an organization with its items, members and invitations (owners)' })
  @ApiNoContentResponse()
  async delete(@CurrentUser() caller: User, @Param('org_id', UuidParamPipe) organizationId: string): Promise<void> {
    await this.organizations.delete(caller, organizationId);
  }

  @Get(':org_id/members')
  @ApiOperation({ summary: 'List the members, in the order they joined' })
  @ApiOkResponse({ type: MembersPageDto })
  async listMembers(
    @CurrentUser() caller: User,
    @Param('org_id', UuidParamPipe) organizationId: string,
    @Query() page: PageQueryDto,
  ): Promise<MembersPageDto> {
    const { members, count } = await this.members.list(caller, organizationId, page.skip, page.limit);
    return { data: members.map(MemberResponseDto.from), count };
  }

  @Patch(':org_id/members/:user_id')
  @ApiOperation({ summary: "Change a member's role (owners and admins; only an owner makes or changes an owner)" })
  @ApiOkResponse({ type: MemberResponseDto })
  async updateMember(
    @CurrentUser() caller: User,
    @Param('org_id', UuidParamPipe) organizationId: string,
    @Param('user_id', UuidParamPipe) userId: string,
    @Body() input: UpdateMemberDto,
  ): Promise<MemberResponseDto> {
    return MemberResponseDto.from(await this.members.changeRole(caller, organizationId, userId, input.role));
  }

  @Delete(':org_id/members/:user_id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a member (owners and admins), or leave (the member)' })
  @ApiNoContentResponse()
  async removeMember(
    @CurrentUser() caller: User,
    @Param('org_id', UuidParamPipe) organizationId: string,
    @Param('user_id', UuidParamPipe) userId: string,
  ): Promise<void> {
    await this.members.remove(caller, organizationId, userId);
  }

  @Post(':org_id/invitations')
  @ApiOperation({ summary: 'Invite an email address (owners and admins); the link is mailed through the worker' })
  @ApiCreatedResponse({ type: InvitationResponseDto })
  async invite(
    @CurrentUser() caller: User,
    @Param('org_id', UuidParamPipe) organizationId: string,
    @Body() input: CreateInvitationDto,
  ): Promise<InvitationResponseDto> {
    return InvitationResponseDto.from(await this.invitations.invite(caller, organizationId, input));
  }

  @Get(':org_id/invitations')
  @ApiOperation({ summary: 'List the invitations not yet accepted (owners and admins)' })
  @ApiOkResponse({ type: InvitationsPageDto })
  async listInvitations(
    @CurrentUser() caller: User,
    @Param('org_id', UuidParamPipe) organizationId: string,
    @Query() page: PageQueryDto,
  ): Promise<InvitationsPageDto> {
    const { invitations, count } = await this.invitations.list(caller, organizationId, page.skip, page.limit);
    return { data: invitations.map(InvitationResponseDto.from), count };
  }

  @Delete(':org_id/invitations/:invitation_id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke an invitation (owners and admins)' })
  @ApiNoContentResponse()
  async revokeInvitation(
    @CurrentUser() caller: User,
    @Param('org_id', UuidParamPipe) organizationId: string,
    @Param('invitation_id', UuidParamPipe) invitationId: string,
  ): Promise<void> {
    await this.invitations.revoke(caller, organizationId, invitationId);
  }
}

@ApiTags('organizations')
@Controller('invitations')
export class InvitationsController {
  constructor(private readonly invitations: InvitationsService) {}

  @Post('accept')
  @HttpCode(200)
  @ApiOperation({ summary: 'Accept an invitation with the token of its link, as the invited address' })
  @ApiOkResponse({ type: OrganizationResponseDto })
  async accept(@CurrentUser() caller: User, @Body() input: AcceptInvitationDto): Promise<OrganizationResponseDto> {
    return OrganizationResponseDto.from(await this.invitations.accept(caller, input.token));
  }
}
