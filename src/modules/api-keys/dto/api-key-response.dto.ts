import { ApiProperty } from '@nestjs/swagger';
import type { ApiKey } from '../entities/api-key.entity.js';

/** A key as listed: never its secret. */
export class ApiKeyResponseDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  user_id: string;

  @ApiProperty({ example: 'nightly export' })
  name: string;

  @ApiProperty({ description: "The key's first characters, to tell keys apart", example: 'ak_Xq3vT9bL' })
  prefix: string;

  @ApiProperty({ description: 'Only GET and HEAD requests are allowed with it' })
  read_only: boolean;

  @ApiProperty({ format: 'date-time' })
  created_at: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Updated at most once a minute' })
  last_used_at: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  expires_at: string | null;

  static from(this: void, key: ApiKey): ApiKeyResponseDto {
    return {
      id: key.id,
      user_id: key.userId,
      name: key.name,
      prefix: key.prefix,
      read_only: key.readOnly,
      created_at: key.createdAt.toISOString(),
      last_used_at: key.lastUsedAt?.toISOString() ?? null,
      expires_at: key.expiresAt?.toISOString() ?? null,
    };
  }
}

/** A key just created: the only response that carries the secret. */
export class CreatedApiKeyDto extends ApiKeyResponseDto {
  @ApiProperty({
    description: 'The key itself, shown this once: send it as the X-API-Key header',
    example: 'ak_Xq3vT9bLk2...',
  })
  key: string;

  static withSecret(key: ApiKey, secret: string): CreatedApiKeyDto {
    return { ...ApiKeyResponseDto.from(key), key: secret };
  }
}

export class ApiKeysPageDto {
  @ApiProperty({ type: [ApiKeyResponseDto] })
  data: ApiKeyResponseDto[];

  @ApiProperty({ description: "All of the user's keys, ignoring skip and limit" })
  count: number;
}
