import { ApiProperty } from '@nestjs/swagger';
import type { OidcProviderConfig } from '../../../config/app-config.js';

/** A provider users may sign in with, for the web client's buttons. */
export class ProviderResponseDto {
  @ApiProperty({ description: 'The `{provider}` of the sign-in routes', example: 'google' })
  name: string;

  @ApiProperty({ example: 'Google Workspace' })
  display_name: string;

  static from(this: void, provider: OidcProviderConfig): ProviderResponseDto {
    return { name: provider.name, display_name: provider.displayName };
  }
}
