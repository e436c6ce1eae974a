import { CredentialField } from '../../../common/validation/fields.js';

export class RefreshTokenDto {
  @CredentialField({ description: 'The refresh token from the last login or refresh' })
  refresh_token: string;
}
