import { EmailField, TextField } from '../../../common/validation/fields.js';

/** What users may change about themselves (`{}` is allowed and changes nothing). */
export class UpdateMeDto {
  @TextField({ max: 255, optional: true, nullable: true, example: 'Ada Lovelace' })
  full_name?: string | null;

  @EmailField({ optional: true })
  email?: string;
}
