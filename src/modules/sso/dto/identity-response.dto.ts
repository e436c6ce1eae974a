import { ApiProperty } from '@nestjs/swagger';
import type { UserIdentity } from '../entities/user-identity.entity.js';

/** An identity at an OpenID provider linked to the caller's account. */
export class IdentityResponseDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ description: 'The configured provider it was linked through', example: 'google' })
  provider: string;

  @ApiProperty({ format: 'uri' })
  issuer: string;

  @ApiProperty({ description: "The provider's identifier of the person" })
  subject: string;

  @ApiProperty({ format: 'idn-email', description: 'The email the provider gave at the last sign-in' })
  email: string;

  @ApiProperty({ format: 'date-time' })
  created_at: string;

  @ApiProperty({ format: 'date-time' })
  last_sign_in_at: string;

  static from(this: void, identity: UserIdentity): IdentityResponseDto {
    return {
      id: identity.id,
      provider: identity.provider,
      issuer: identity.issuer,
      subject: identity.subject,
      email: identity.email,
      created_at: identity.createdAt.toISOString(),
      last_sign_in_at: identity.lastSignInAt.toISOString(),
    };
  }
}

export class IdentitiesPageDto {
  @ApiProperty({ type: [IdentityResponseDto] })
  data: IdentityResponseDto[];

  @ApiProperty()
  count: number;
}
