import { TextField } from '../../../common/validation/fields.js';

export class CreateItemDto {
  @TextField({ min: 1, max: 255, example: 'Buy milk' })
  title: string;

  @TextField({ max: 255, optional: true, nullable: true, example: 'Two litres' })
  description?: string | null;
}
