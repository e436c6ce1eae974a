import { TextField } from '../../../common/validation/fields.js';

/** A partial update: absent fields stay; `description: null` clears it; `title: null` is 422. */
export class UpdateItemDto {
  @TextField({ min: 1, max: 255, optional: true, example: 'Buy oat milk' })
  title?: string;

  @TextField({ max: 255, optional: true, nullable: true })
  description?: string | null;
}
