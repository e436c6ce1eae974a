import { ApiProperty } from '@nestjs/swagger';
import { TextField } from '../../../common/validation/fields.js';
import type { OrganizationAccess } from '../organizations.service.js';
import { ORGANIZATION_ROLES, type OrganizationRole } from '../organization-role.js';

export class CreateOrganizationDto {
  @TextField({ min: 1, max: 255, example: 'Acme' })
  name: string;
}

export class UpdateOrganizationDto {
  @TextField({ min: 1, max: 255, optional: true, example: 'Acme Inc.' })
  name?: string;
}

export class OrganizationResponseDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'Acme' })
  name: string;

  @ApiProperty({ enum: ORGANIZATION_ROLES, description: "The caller's role (a superuser: owner)" })
  role: OrganizationRole;

  @ApiProperty({ format: 'date-time' })
  created_at: string;

  static from(this: void, { organization, role }: OrganizationAccess): OrganizationResponseDto {
    return { id: organization.id, name: organization.name, role, created_at: organization.createdAt.toISOString() };
  }
}

export class OrganizationsPageDto {
  @ApiProperty({ type: [OrganizationResponseDto] })
  data: OrganizationResponseDto[];

  @ApiProperty({ description: "All the caller's organizations, ignoring skip and limit" })
  count: number;
}
