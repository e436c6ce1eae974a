import { TextField } from '../../../common/validation/fields.js';

export class RefreshTokenDto {
  @TextField({ min: 1, max: 200 })
  refresh_token: string;
}
