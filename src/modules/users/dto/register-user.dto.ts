import { EmailField, PasswordField, TextField } from '../../../common/validation/fields.js';

/** Self sign-up: never active-by-choice or superuser, whatever the body says. */
export class RegisterUserDto {
  @EmailField()
  email: string;

  @PasswordField()
  password: string;

  @TextField({ max: 255, optional: true, nullable: true, example: 'Ada Lovelace' })
  full_name?: string | null;
}
