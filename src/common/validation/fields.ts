import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Expose, Transform } from 'class-transformer';
import { IsBoolean, IsDefined, IsInt, IsString, Max, Min, ValidateBy, ValidateIf } from 'class-validator';
import { isPlainAddress, MAX_EMAIL_LENGTH } from './email-address.js';
import { codePoints, PASSWORD_MAX, PASSWORD_MIN } from './text-length.js';
import { UUID_PATTERN } from './uuid-param.pipe.js';
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

/** PostgreSQL text cannot hold U+0000: refused here, not left to fail as an insert. */
function NoNulCharacter(): PropertyDecorator {
  return ValidateBy(
    { name: 'noNulCharacter', validator: { validate: (v) => typeof v !== 'string' || !v.includes('\u0000') } },
    context({ type: 'string_pattern_mismatch', msg: 'String should not contain NUL characters' }),
  );
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
    NoNulCharacter(),
    docs(options, {
      type: String,
      minLength: min || undefined,
      maxLength: options.max,
      description: options.description,
      example: options.example,
    }),
  );
}

export function EmailField(options: Presence = {}): PropertyDecorator {
  return applyDecorators(
    ...presence(options),
    IsString(context({ type: 'string_type', msg: 'Input should be a valid string' })),
    ValidateBy(
      {
        name: 'isEmailAddress',
        validator: { validate: (v) => typeof v === 'string' && isPlainAddress(v) },
      },
      context({ type: 'value_error', msg: 'value is not a valid email address' }),
    ),
    docs(options, { type: String, format: 'idn-email', maxLength: MAX_EMAIL_LENGTH, example: 'user@example.com' }),
  );
}

/**
 * An opaque credential (a token): any string. Whether it is genuine is the service's answer
 * (401, or 400 `Invalid token`), never a 422 about its length or characters, which would tell
 * a prober something; the body limit bounds it.
 */
export function CredentialField(options: { description?: string } = {}): PropertyDecorator {
  return applyDecorators(
    ...presence({}),
    IsString(context({ type: 'string_type', msg: 'Input should be a valid string' })),
    docs({}, { type: String, description: options.description }),
  );
}

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

/** PostgreSQL's `integer` range: a larger value would be a 500 from the database instead of a 422. */
export const INTEGER_MIN = -2_147_483_648;
export const INTEGER_MAX = 2_147_483_647;

function Bounds(min: number | undefined, max: number | undefined): PropertyDecorator[] {
  const checks: PropertyDecorator[] = [];
  if (min !== undefined) {
    checks.push(
      Min(
        min,
        context({
          type: 'greater_than_equal',
          msg: `Input should be greater than or equal to ${min}`,
          ctx: { ge: min },
        }),
      ),
    );
  }
  if (max !== undefined) {
    checks.push(
      Max(
        max,
        context({ type: 'less_than_equal', msg: `Input should be less than or equal to ${max}`, ctx: { le: max } }),
      ),
    );
  }
  return checks;
}

export interface NumberOptions extends Presence {
  min?: number;
  max?: number;
  description?: string;
  example?: number;
}

/** A JSON integer (a string of digits is refused, as pydantic's strict mode does). */
export function IntegerField(options: NumberOptions = {}): PropertyDecorator {
  const min = options.min ?? INTEGER_MIN;
  const max = options.max ?? INTEGER_MAX;
  return applyDecorators(
    ...presence(options),
    ValidateBy(
      { name: 'isIntegerValue', validator: { validate: (v) => typeof v === 'number' && Number.isInteger(v) } },
      context({ type: 'int_type', msg: 'Input should be a valid integer' }),
    ),
    ...Bounds(min, max),
    docs(options, {
      type: 'integer',
      minimum: min,
      maximum: max,
      description: options.description,
      example: options.example,
    }),
  );
}

/** A finite JSON number. */
export function NumberField(options: NumberOptions = {}): PropertyDecorator {
  return applyDecorators(
    ...presence(options),
    ValidateBy(
      { name: 'isNumberValue', validator: { validate: (v) => typeof v === 'number' && Number.isFinite(v) } },
      context({ type: 'float_type', msg: 'Input should be a valid number' }),
    ),
    ...Bounds(options.min, options.max),
    docs(options, {
      type: 'number',
      minimum: options.min,
      maximum: options.max,
      description: options.description,
      example: options.example,
    }),
  );
}

export function UuidField(options: Presence & { description?: string } = {}): PropertyDecorator {
  return applyDecorators(
    ...presence(options),
    ValidateBy(
      { name: 'isUuidValue', validator: { validate: (v) => typeof v === 'string' && UUID_PATTERN.test(v) } },
      context({ type: 'uuid_parsing', msg: 'Input should be a valid UUID' }),
    ),
    Transform(({ value }: { value: unknown }) =>
      typeof value === 'string' && UUID_PATTERN.test(value) ? value.toLowerCase() : value,
    ),
    docs(options, { type: String, format: 'uuid', description: options.description }),
  );
}

const CALENDAR_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for an existing day written YYYY-MM-DD (2026-02-30 is refused). */
function isCalendarDate(value: unknown): boolean {
  const parts = typeof value === 'string' ? CALENDAR_DATE.exec(value) : null;
  if (!parts) return false;
  const day = new Date(Date.UTC(Number(parts[1]), Number(parts[2]) - 1, Number(parts[3])));
  return day.toISOString().startsWith(value as string);
}

/** A calendar date, `YYYY-MM-DD` (PostgreSQL `date`), kept as that string. */
export function DateField(options: Presence & { description?: string } = {}): PropertyDecorator {
  return applyDecorators(
    ...presence(options),
    ValidateBy(
      { name: 'isCalendarDate', validator: { validate: isCalendarDate } },
      context({ type: 'date_from_datetime_parsing', msg: 'Input should be a valid date in the format YYYY-MM-DD' }),
    ),
    docs(options, { type: String, format: 'date', description: options.description, example: '2026-12-31' }),
  );
}

// ISO-8601 with a zone: a timestamp without one would be read in the server's zone.
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/i;

/**
 * An instant, ISO-8601 with a zone (PostgreSQL `timestamptz`); the DTO holds a `Date`. With
 * `future`, it must be later than the request.
 */
export function DateTimeField(
  options: Presence & { future?: boolean; description?: string; example?: string } = {},
): PropertyDecorator {
  const future = options.future
    ? [
        ValidateBy(
          {
            name: 'isFutureDateTime',
            validator: { validate: (v) => !(v instanceof Date) || v.getTime() > Date.now() },
          },
          context({ type: 'datetime_future', msg: 'Input should be in the future' }),
        ),
      ]
    : [];
  return applyDecorators(
    ...presence(options),
    Transform(({ value }: { value: unknown }) => {
      if (typeof value !== 'string' || !DATE_TIME.test(value)) return value;
      const instant = new Date(value);
      return Number.isNaN(instant.getTime()) ? value : instant;
    }),
    ValidateBy(
      { name: 'isDateTimeValue', validator: { validate: (v) => v instanceof Date } },
      context({ type: 'datetime_from_date_parsing', msg: 'Input should be a valid datetime with a time zone' }),
    ),
    ...future,
    docs(options, {
      type: String,
      format: 'date-time',
      description: options.description,
      example: options.example ?? '2026-12-31T23:59:00Z',
    }),
  );
}

/** An integer from the query string, with bounds and a default. */
export function IntegerQueryField(options: { min: number; max?: number; default: number; description?: string }) {
  const checks: PropertyDecorator[] = [
    // Exposed, so the transform below also runs for an absent parameter and sets the default.
    Expose(),
    Transform(({ value }: { value: unknown }) =>
      value === undefined || value === ''
        ? options.default
        : typeof value === 'string' && /^-?\d+$/.test(value)
          ? Number(value)
          : value,
    ),
    IsInt(
      context({ type: 'int_parsing', msg: 'Input should be a valid integer, unable to parse string as an integer' }),
    ),
    ...Bounds(options.min, options.max),
  ];
  return applyDecorators(
    ...checks,
    ApiPropertyOptional({
      type: 'integer',
      minimum: options.min,
      maximum: options.max,
      default: options.default,
      description: options.description,
    }),
  );
}

/** One of a fixed set of strings, worded as pydantic words an enum's refusal. */
export function EnumField(
  values: readonly string[],
  options: Presence & { description?: string; example?: string } = {},
): PropertyDecorator {
  const quoted = values.map((value) => `'${value}'`);
  const expected = quoted.length > 1 ? `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}` : quoted[0];
  return applyDecorators(
    ...presence(options),
    ValidateBy(
      { name: 'isOneOf', validator: { validate: (v) => typeof v === 'string' && values.includes(v) } },
      context({ type: 'enum', msg: `Input should be ${expected}`, ctx: { expected } }),
    ),
    docs(options, { type: String, enum: [...values], description: options.description, example: options.example }),
  );
}
