import { CredentialField } from '../../../common/validation/fields.js';

export class ExchangeCodeDto {
  @CredentialField({ description: 'The one-time code from `#code=` of the sign-in callback page' })
  code: string;
}
