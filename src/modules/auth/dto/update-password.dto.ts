import { PasswordField, TextField } from '../../../common/validation/fields.js';

export class UpdatePasswordDto {
  @TextField({ min: 1, max: 128 })
  current_password: string;

  @PasswordField()
  new_password: string;
}
