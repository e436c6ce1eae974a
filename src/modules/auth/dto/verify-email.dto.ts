import { CredentialField } from '../../../common/validation/fields.js';

export class VerifyEmailDto {
  @CredentialField({ description: 'The token from the verification email' })
  token: string;
}
