import { TextField } from '../../../common/validation/fields.js';

export class TestQueueDto {
  @TextField({ min: 1, max: 1000, example: 'hello worker' })
  message: string;
}
