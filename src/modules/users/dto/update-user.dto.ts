import { BooleanField, EmailField, PasswordField, TextField } from '../../../common/validation/fields.js';

/** A superuser changing an account: every field optional; a given password is hashed. */
export class UpdateUserDto {
  @EmailField({ optional: true })
  email?: string;

  @PasswordField({ optional: true })
  password?: string;

  @TextField({ max: 255, optional: true, nullable: true, example: 'Ada Lovelace' })
  full_name?: string | null;

  @BooleanField({ optional: true })
  is_active?: boolean;

  @BooleanField({ optional: true })
  is_superuser?: boolean;
}
