import { EmailField } from '../../../common/validation/fields.js';

export class TestEmailQueryDto {
  @EmailField()
  email_to: string;
}
