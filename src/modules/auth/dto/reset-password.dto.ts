import { CredentialField, PasswordField } from '../../../common/validation/fields.js';

export class ResetPasswordDto {
  @CredentialField({ description: 'The token from the recovery email' })
  token: string;

  @PasswordField()
  new_password: string;
}
