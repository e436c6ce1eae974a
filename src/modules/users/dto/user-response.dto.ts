import { ApiProperty } from '@nestjs/swagger';
import type { User } from '../entities/user.entity.js';

/** The public shape of a user: never a password or hash. */
export class UserResponseDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  // idn-email: an address may have non-ASCII letters (stored as given), which `email` would not allow.
  @ApiProperty({ format: 'idn-email', example: 'user@example.com' })
  email: string;

  @ApiProperty({ type: String, nullable: true, example: 'Ada Lovelace' })
  full_name: string | null;

  @ApiProperty()
  is_active: boolean;

  @ApiProperty()
  is_superuser: boolean;

  @ApiProperty({ description: 'The user has shown they receive mail at this address' })
  is_verified: boolean;

  @ApiProperty({ format: 'date-time' })
  created_at: string;

  @ApiProperty({ format: 'date-time' })
  updated_at: string;

  static from(this: void, user: User): UserResponseDto {
    return {
      id: user.id,
      email: user.email,
      full_name: user.fullName,
      is_active: user.isActive,
      is_superuser: user.isSuperuser,
      is_verified: user.isVerified,
      created_at: user.createdAt.toISOString(),
      updated_at: user.updatedAt.toISOString(),
    };
  }
}

export class UsersPageDto {
  @ApiProperty({ type: [UserResponseDto] })
  data: UserResponseDto[];

  @ApiProperty({ description: 'All users, ignoring skip and limit' })
  count: number;
}
