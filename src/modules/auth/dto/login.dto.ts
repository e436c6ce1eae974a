import { TextField } from '../../../common/validation/fields.js';

/**
 * OAuth2 password-grant fields, as a form (the template's clients, Swagger's Authorize) or as
 * JSON. `username` is the email. The grant's other fields are accepted and not used.
 */
export class LoginDto {
  @TextField({ min: 1, max: 254, example: 'admin@example.com', description: 'The email address' })
  username: string;

  @TextField({ min: 1, max: 128 })
  password: string;

  @TextField({ max: 64, optional: true, nullable: true, example: 'password' })
  grant_type?: string | null;

  @TextField({ max: 1024, optional: true, nullable: true })
  scope?: string | null;

  @TextField({ max: 255, optional: true, nullable: true })
  client_id?: string | null;

  @TextField({ max: 255, optional: true, nullable: true })
  client_secret?: string | null;
}
