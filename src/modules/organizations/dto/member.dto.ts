import { ApiProperty } from '@nestjs/swagger';
import { EnumField } from '../../../common/validation/fields.js';
import type { Member } from '../members.service.js';
import { ORGANIZATION_ROLES, type OrganizationRole } from '../organization-role.js';

export class UpdateMemberDto {
  @EnumField(ORGANIZATION_ROLES, { example: 'member' })
  role: OrganizationRole;
}

export class MemberResponseDto {
  @ApiProperty({ format: 'uuid' })
  user_id: string;

  @ApiProperty({ example: 'user@example.com' })
  email: string;

  @ApiProperty({ type: String, nullable: true })
  full_name: string | null;

  @ApiProperty({ enum: ORGANIZATION_ROLES })
  role: OrganizationRole;

  @ApiProperty({ format: 'date-time' })
  joined_at: string;

  static from(this: void, { membership, user }: Member): MemberResponseDto {
    return {
      user_id: user.id,
      email: user.email,
      full_name: user.fullName,
      role: membership.role,
      joined_at: membership.joinedAt.toISOString(),
    };
  }
}

export class MembersPageDto {
  @ApiProperty({ type: [MemberResponseDto] })
  data: MemberResponseDto[];

  @ApiProperty({ description: 'All members, ignoring skip and limit' })
  count: number;
}
