import { BooleanField } from '../../../common/validation/fields.js';
import { RegisterUserDto } from './register-user.dto.js';

/** A superuser creating an account: the sign-up fields plus the account's standing. */
export class CreateUserDto extends RegisterUserDto {
  @BooleanField({ optional: true, default: true })
  is_active?: boolean;

  @BooleanField({ optional: true, default: false })
  is_superuser?: boolean;
}
