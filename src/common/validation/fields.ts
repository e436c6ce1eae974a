import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Expose, Transform } from 'class-transformer';
import { IsBoolean, IsDefined, IsInt, IsString, Max, Min, ValidateBy, ValidateIf } from 'class-validator';
import type { IssueContext } from './validation-error.js';

/**
 * Field decorators that declare validation, the pydantic-style 422 wording and the OpenAPI schema
 * in one place, so a DTO property needs one line and the docs cannot drift from the checks.
 */

interface Presence {
  /** The field may be left out. */
  optional?: boolean;
  /** `null` is accepted (and means "clear" on updates). */
  nullable?: boolean;
}

// The message matters too: class-validator attaches a context only to a non-empty message.
const context = (issue: IssueContext) => ({ context: issue, message: issue.msg });

/** Skips the remaining checks for an absent field, or for null where null is allowed. */
function presence({ optional, nullable }: Presence): PropertyDecorator[] {
  const required = context({ type: 'missing', msg: 'Field required' });
  if (!optional && !nullable) return [IsDefined(required)];
  if (!optional) return [IsDefined(required), ValidateIf((_, value) => value !== null)];
  return [ValidateIf((_, value) => value !== undefined && !(nullable && value === null))];
}

/** Length in code points, so an emoji counts as one character. */
export function codePoints(value: string): number {
  let count = 0;
  for (const _ of value) count++;
  return count;
}

function LengthBetween(min: number, max: number): PropertyDecorator {
  const tooShort = ValidateBy(
    { name: 'minCodePoints', validator: { validate: (v) => typeof v !== 'string' || codePoints(v) >= min } },
    context({
      type: 'string_too_short',
      msg: `String should have at least ${min} character${min === 1 ? '' : 's'}`,
      ctx: { min_length: min },
    }),
  );
  const tooLong = ValidateBy(
    { name: 'maxCodePoints', validator: { validate: (v) => typeof v !== 'string' || codePoints(v) <= max } },
    context({ type: 'string_too_long', msg: `String should have at most ${max} characters`, ctx: { max_length: max } }),
  );
  return applyDecorators(tooShort, tooLong);
}

function docs(presence: Presence, schema: Record<string, unknown>): PropertyDecorator {
  const options = { ...schema, nullable: presence.nullable || undefined };
  return presence.optional ? ApiPropertyOptional(options) : ApiProperty(options);
}

export interface TextOptions extends Presence {
  min?: number;
  max: number;
  description?: string;
  example?: string;
}

export function TextField(options: TextOptions): PropertyDecorator {
  const min = options.min ?? 0;
  return applyDecorators(
    ...presence(options),
    IsString(context({ type: 'string_type', msg: 'Input should be a valid string' })),
    LengthBetween(min, options.max),
    docs(options, {
      type: String,
      minLength: min || undefined,
      maxLength: options.max,
      description: options.description,
      example: options.example,
    }),
  );
}

// Deliberately simple (one @, a dot in the domain, no spaces): the same rule as pydantic's
// email-validator for the inputs that matter, without rejecting valid but unusual addresses.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
export const MAX_EMAIL_LENGTH = 254;

export function EmailField(options: Presence = {}): PropertyDecorator {
  return applyDecorators(
    ...presence(options),
    IsString(context({ type: 'string_type', msg: 'Input should be a valid string' })),
    ValidateBy(
      {
        name: 'isEmailAddress',
        validator: { validate: (v) => typeof v === 'string' && EMAIL.test(v) && codePoints(v) <= MAX_EMAIL_LENGTH },
      },
      context({ type: 'value_error', msg: 'value is not a valid email address' }),
    ),
    docs(options, { type: String, format: 'email', maxLength: MAX_EMAIL_LENGTH, example: 'user@example.com' }),
  );
}

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

export function PasswordField(options: Presence = {}): PropertyDecorator {
  return TextField({ ...options, min: PASSWORD_MIN, max: PASSWORD_MAX, example: 'a long passphrase' });
}

export function BooleanField(options: Presence & { default?: boolean } = {}): PropertyDecorator {
  return applyDecorators(
    ...presence(options),
    IsBoolean(context({ type: 'bool_type', msg: 'Input should be a valid boolean' })),
    docs(options, { type: Boolean, default: options.default }),
  );
}

/** An integer from the query string, with bounds and a default. */
export function IntegerQueryField(options: { min: number; max?: number; default: number; description?: string }) {
  const checks: PropertyDecorator[] = [
    // Exposed, so the transform below also runs for an absent parameter and sets the default.
    Expose(),
    Transform(({ value }: { value: unknown }) =>
      value === undefined || value === '' ? options.default : typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value,
    ),
    IsInt(context({ type: 'int_parsing', msg: 'Input should be a valid integer, unable to parse string as an integer' })),
    Min(options.min, context({ type: 'greater_than_equal', msg: `Input should be greater than or equal to ${options.min}`, ctx: { ge: options.min } })),
  ];
  if (options.max !== undefined) {
    checks.push(Max(options.max, context({ type: 'less_than_equal', msg: `Input should be less than or equal to ${options.max}`, ctx: { le: options.max } })));
  }
  return applyDecorators(
    ...checks,
    ApiPropertyOptional({ type: 'integer', minimum: options.min, maximum: options.max, default: options.default, description: options.description }),
  );
}
