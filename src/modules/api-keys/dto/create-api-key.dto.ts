import { BooleanField, DateTimeField, TextField } from '../../../common/validation/fields.js';

export class CreateApiKeyDto {
  @TextField({ min: 1, max: 100, description: 'What the key is for', example: 'nightly export' })
  name: string;

  @DateTimeField({
    optional: true,
    nullable: true,
    future: true,
    description: 'When the key stops working; never when left out',
    example: '2027-12-31T00:00:00Z',
  })
  expires_at?: Date | null;

  @BooleanField({ optional: true, default: false })
  read_only?: boolean;
}
