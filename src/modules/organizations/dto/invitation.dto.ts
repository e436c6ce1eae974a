import { ApiProperty } from '@nestjs/swagger';
import { EmailField, EnumField, TextField } from '../../../common/validation/fields.js';
import type { Invitation } from '../entities/invitation.entity.js';
import { ORGANIZATION_ROLES, type OrganizationRole } from '../organization-role.js';

export class CreateInvitationDto {
  @EmailField()
  email: string;

  @EnumField(ORGANIZATION_ROLES, { example: 'member' })
  role: OrganizationRole;
}

export class AcceptInvitationDto {
  @TextField({ min: 1, max: 512, description: 'The token of the invitation link' })
  token: string;
}

export class InvitationResponseDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'user@example.com' })
  email: string;

  @ApiProperty({ enum: ORGANIZATION_ROLES })
  role: OrganizationRole;

  @ApiProperty({ format: 'date-time' })
  expires_at: string;

  static from(this: void, invitation: Invitation): InvitationResponseDto {
    return {
      id: invitation.id,
      email: invitation.email,
      role: invitation.role,
      expires_at: invitation.expiresAt.toISOString(),
    };
  }
}

export class InvitationsPageDto {
  @ApiProperty({ type: [InvitationResponseDto] })
  data: InvitationResponseDto[];

  @ApiProperty({ description: 'All pending invitations, ignoring skip and limit' })
  count: number;
}
