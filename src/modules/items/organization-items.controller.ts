import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '../../common/auth/principal.js';
import { PageQueryDto } from '../../common/http/page-query.dto.js';
import { UuidParamPipe } from '../../common/validation/uuid-param.pipe.js';
import { NEEDED_ROLE } from '../organizations/organization-role.js';
import { OrganizationsService } from '../organizations/organizations.service.js';
import type { User } from '../users/entities/user.entity.js';
import { CreateItemDto } from './dto/create-item.dto.js';
import { OrganizationItemResponseDto, OrganizationItemsPageDto } from './dto/item-response.dto.js';
import { UpdateItemDto } from './dto/update-item.dto.js';
import { ItemsService } from './items.service.js';

/**
 * An organization's items: viewers read them, members and above also write them (any item of
 * the organization, not only their own). Non-members are told the organization is not found.
 */
@ApiTags('organizations')
@Controller('organizations/:org_id/items')
export class OrganizationItemsController {
  constructor(
    private readonly items: ItemsService,
    private readonly organizations: OrganizationsService,
  ) {}

  @Get()
  @ApiOperation({ summary: "List the organization's items, newest first" })
  @ApiOkResponse({ type: OrganizationItemsPageDto })
  async list(
    @CurrentUser() caller: User,
    @Param('org_id', UuidParamPipe) organizationId: string,
    @Query() page: PageQueryDto,
  ): Promise<OrganizationItemsPageDto> {
    await this.organizations.require(caller, organizationId, NEEDED_ROLE.read);
    const { items, count } = await this.items.listInOrganization(organizationId, page.skip, page.limit);
    return { data: items.map(OrganizationItemResponseDto.fromOrganizationItem), count };
  }

  @Post()
  @ApiOperation({ summary: 'Create an item in the organization (members and above)' })
  @ApiCreatedResponse({ type: OrganizationItemResponseDto })
  async create(
    @CurrentUser() caller: User,
    @Param('org_id', UuidParamPipe) organizationId: string,
    @Body() input: CreateItemDto,
  ): Promise<OrganizationItemResponseDto> {
    await this.organizations.require(caller, organizationId, NEEDED_ROLE.writeItems);
    const item = await this.items.createInOrganization(caller, organizationId, input);
    return OrganizationItemResponseDto.fromOrganizationItem(item);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Read an item of the organization' })
  @ApiOkResponse({ type: OrganizationItemResponseDto })
  async findOne(
    @CurrentUser() caller: User,
    @Param('org_id', UuidParamPipe) organizationId: string,
    @Param('id', UuidParamPipe) id: string,
  ): Promise<OrganizationItemResponseDto> {
    await this.organizations.require(caller, organizationId, NEEDED_ROLE.read);
    return OrganizationItemResponseDto.fromOrganizationItem(await this.items.findInOrganization(organizationId, id));
  }

  @Put(':id')
  @ApiOperation({ summary: 'Update an item of the organization (members and above)' })
  @ApiOkResponse({ type: OrganizationItemResponseDto })
  async update(
    @CurrentUser() caller: User,
    @Param('org_id', UuidParamPipe) organizationId: string,
    @Param('id', UuidParamPipe) id: string,
    @Body() input: UpdateItemDto,
  ): Promise<OrganizationItemResponseDto> {
    await this.organizations.require(caller, organizationId, NEEDED_ROLE.writeItems);
    const item = await this.items.updateInOrganization(organizationId, id, input);
    return OrganizationItemResponseDto.fromOrganizationItem(item);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete an item of the organization (members and above)' })
  @ApiNoContentResponse()
  async delete(
    @CurrentUser() caller: User,
    @Param('org_id', UuidParamPipe) organizationId: string,
    @Param('id', UuidParamPipe) id: string,
  ): Promise<void> {
    await this.organizations.require(caller, organizationId, NEEDED_ROLE.writeItems);
    await this.items.deleteInOrganization(organizationId, id);
  }
}
