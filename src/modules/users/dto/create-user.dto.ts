import { BooleanField, EmailField, PasswordField, TextField } from '../../../common/validation/fields.js';

/** A superuser creating an account. */
export class CreateUserDto {
  @EmailField()
  email: string;

  @PasswordField()
  password: string;

  @TextField({ max: 255, optional: true, nullable: true, example: 'Ada Lovelace' })
  full_name?: string | null;

  @BooleanField({ optional: true, default: true })
  is_active?: boolean;

  @BooleanField({ optional: true, default: false })
  is_superuser?: boolean;
}
