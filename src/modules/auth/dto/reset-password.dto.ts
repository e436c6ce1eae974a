import { PasswordField, TextField } from '../../../common/validation/fields.js';

export class ResetPasswordDto {
  @TextField({ min: 1, max: 2048 })
  token: string;

  @PasswordField()
  new_password: string;
}
