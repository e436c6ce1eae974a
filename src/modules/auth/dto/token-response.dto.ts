import { ApiProperty } from '@nestjs/swagger';

export class TokenResponseDto {
  @ApiProperty({ description: 'Send as `Authorization: Bearer <access_token>`' })
  access_token: string;

  @ApiProperty({ example: 'bearer' })
  token_type: 'bearer';

  @ApiProperty({ description: 'Exchange at /login/refresh for a new pair; works once' })
  refresh_token: string;

  @ApiProperty({ description: 'Seconds until the access token expires', example: 1800 })
  expires_in: number;
}
