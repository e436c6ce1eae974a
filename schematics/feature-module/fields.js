// @ts-check
import { strings } from '@angular-devkit/core';

/**
 * The field list of `feature-module`: `name:type[:arg[:arg]][?]`, e.g.
 * `title:string:120 body:text price:decimal:10:2 stock:integer done:boolean? due:date? sku:uuid`.
 * A trailing `?` makes the field optional and its column nullable.
 */

/** Columns every generated table has already, or that would clash with the owner relation. */
const RESERVED = new Set(['id', 'owner_id', 'owner', 'created_at', 'updated_at']);
const FIELD_NAME = /^[a-z][a-z0-9_]*$/;

/**
 * @typedef {object} Field
 * @property {string} json        the JSON and column name (snake_case)
 * @property {string} prop        the entity property (camelCase)
 * @property {string} type        the field type as written
 * @property {boolean} nullable
 * @property {string} entityColumn the entity property's Column decorator
 * @property {string} entityType  the entity property's TypeScript type
 * @property {string} dtoType     the DTO property's TypeScript type (without null)
 * @property {string} responseType the response DTO property's TypeScript type
 * @property {string} createField the create DTO's field decorator
 * @property {string} updateField the update DTO's field decorator
 * @property {string} apiProperty the response DTO property's ApiProperty decorator
 * @property {(variable: string) => string} toResponse the response value read from an entity
 * @property {string} sql         the column definition in CREATE TABLE
 * @property {[string, string]} samples two valid JSON values, as TypeScript literals
 * @property {string} invalid     a JSON value of the wrong type, as a TypeScript literal
 * @property {string} fieldImport the name of the field decorator in common/validation/fields
 */

/**
 * What a type decides; parseField derives the rest.
 * @typedef {object} TypeParts
 * @property {string} column   the Column options
 * @property {string} tsType   the entity's and DTO's TypeScript type
 * @property {string} decorator the field decorator in common/validation/fields
 * @property {string} [options] the field decorator's own options
 * @property {string} api      the ApiProperty options of the response
 * @property {string} sql
 * @property {[string, string]} samples
 * @property {string} invalid
 * @property {string} [responseType] the response's TypeScript type, when not tsType
 * @property {(value: string, nullable: boolean) => string} [toResponse]
 */

/** @typedef {{ defaults: number[], build: (args: number[], nullable: boolean) => TypeParts }} TypeSpec */

/** @type {(min: number, max: number) => string} */
const textOptions = (min, max) => (min ? `min: ${min}, max: ${max}` : `max: ${max}`);

/** @type {Record<string, TypeSpec>} */
const TYPES = {
  string: {
    defaults: [255],
    build: ([length], nullable) => ({
      column: `type: 'varchar', length: ${length}`,
      tsType: 'string',
      decorator: 'TextField',
      options: textOptions(nullable ? 0 : 1, length),
      api: `type: String, maxLength: ${length}`,
      sql: `character varying(${length})`,
      invalid: '42',
      samples: [`'${'First value'.slice(0, length)}'`, `'${'Second value'.slice(0, length)}'`],
    }),
  },
  text: {
    defaults: [10_000],
    build: ([length], nullable) => ({
      column: `type: 'text'`,
      tsType: 'string',
      decorator: 'TextField',
      options: textOptions(nullable ? 0 : 1, length),
      api: `type: String, maxLength: ${length}`,
      sql: 'text',
      invalid: 'true',
      samples: [`'${'Some longer text'.slice(0, length)}'`, `'${'Other text'.slice(0, length)}'`],
    }),
  },
  integer: {
    defaults: [],
    build: () => ({
      column: `type: 'integer'`,
      tsType: 'number',
      decorator: 'IntegerField',
      api: `type: 'integer'`,
      sql: 'integer',
      samples: ['42', '-7'],
      invalid: `'many'`,
    }),
  },
  number: {
    defaults: [],
    build: () => ({
      column: `type: 'double precision'`,
      tsType: 'number',
      decorator: 'NumberField',
      api: 'type: Number',
      sql: 'double precision',
      samples: ['12.5', '0.25'],
      invalid: `'a lot'`,
    }),
  },
  decimal: {
    defaults: [12, 2],
    build: ([precision, scale]) => {
      if (scale > precision) throw new Error(`decimal:${precision}:${scale}: the scale cannot exceed the precision`);
      // Values travel as JSON numbers, which hold 15 significant digits exactly.
      if (precision > 15) throw new Error(`decimal:${precision}:${scale}: at most 15 digits stay exact in JSON`);
      // Values that round to 10^(precision-scale) would overflow the column: a 422, not a 500.
      const bound = `${'9'.repeat(precision - scale) || '0'}${scale ? `.${'9'.repeat(scale)}` : ''}`;
      return {
        column: `type: 'numeric', precision: ${precision}, scale: ${scale}, transformer: numericAsNumber`,
        tsType: 'number',
        decorator: 'NumberField',
        options: `min: -${bound}, max: ${bound}`,
        api: `type: Number, minimum: -${bound}, maximum: ${bound}`,
        sql: `numeric(${precision},${scale})`,
        samples: scale ? ['0.5', '-0.5'] : ['5', '-2'],
        invalid: `'cheap'`,
      };
    },
  },
  boolean: {
    defaults: [],
    build: () => ({
      column: `type: 'boolean'`,
      tsType: 'boolean',
      decorator: 'BooleanField',
      api: 'type: Boolean',
      sql: 'boolean',
      samples: ['true', 'false'],
      invalid: `'maybe'`,
    }),
  },
  date: {
    // TypeORM reads a PostgreSQL date as its YYYY-MM-DD string: no time zone gets involved.
    defaults: [],
    build: () => ({
      column: `type: 'date'`,
      tsType: 'string',
      decorator: 'DateField',
      api: `type: String, format: 'date'`,
      sql: 'date',
      samples: [`'2026-12-31'`, `'2027-02-28'`],
      invalid: `'2026-02-30'`,
    }),
  },
  datetime: {
    defaults: [],
    build: () => ({
      column: `type: 'timestamptz'`,
      tsType: 'Date',
      decorator: 'DateTimeField',
      api: `type: String, format: 'date-time'`,
      sql: 'TIMESTAMP WITH TIME ZONE',
      samples: [`'2026-12-31T23:59:00.000Z'`, `'2027-01-15T08:30:00.000Z'`],
      invalid: `'tomorrow'`,
      responseType: 'string',
      toResponse: (value, nullable) => (nullable ? `${value}?.toISOString() ?? null` : `${value}.toISOString()`),
    }),
  },
  uuid: {
    defaults: [],
    build: () => ({
      column: `type: 'uuid'`,
      tsType: 'string',
      decorator: 'UuidField',
      api: `type: String, format: 'uuid'`,
      sql: 'uuid',
      invalid: `'not-a-uuid'`,
      samples: [`'5f0c2f7e-3c1d-4b7a-9a52-0d3c4f6b8e21'`, `'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'`],
    }),
  },
};
/** Other spellings people reach for. */
const ALIASES = {
  varchar: 'string',
  int: 'integer',
  float: 'number',
  double: 'number',
  numeric: 'decimal',
  bool: 'boolean',
  timestamptz: 'datetime',
};

export const FIELD_TYPES = Object.keys(TYPES);

/**
 * A field decorator call with its options and the presence flags, e.g. `TextField({ max: 5, optional: true })`.
 * @param {string} decorator @param {string | undefined} options @param {string[]} flags
 */
function decoratorCall(decorator, options, flags) {
  const all = [options, ...flags.map((flag) => `${flag}: true`)].filter(Boolean);
  return all.length ? `${decorator}({ ${all.join(', ')} })` : `${decorator}()`;
}

/**
 * @param {string} token one `name:type[:arg[:arg]][?]`
 * @returns {Field}
 */
export function parseField(token) {
  const nullable = token.endsWith('?');
  const [rawName, rawType = '', ...rawArgs] = (nullable ? token.slice(0, -1) : token).split(':');
  const json = strings.underscore(rawName);
  if (!FIELD_NAME.test(json))
    throw new Error(`"${token}": a field name is letters, digits and underscores, starting with a letter`);
  if (RESERVED.has(json)) throw new Error(`"${token}": ${json} is a column every generated table has already`);
  const type = ALIASES[/** @type {keyof typeof ALIASES} */ (rawType.toLowerCase())] ?? rawType.toLowerCase();
  const spec = TYPES[type];
  if (!spec) throw new Error(`"${token}": unknown type "${rawType}" (one of ${FIELD_TYPES.join(', ')})`);
  if (rawArgs.length > spec.defaults.length)
    throw new Error(`"${token}": ${type} takes at most ${spec.defaults.length} argument(s)`);
  const args = spec.defaults.map((fallback, index) => {
    if (rawArgs[index] === undefined || rawArgs[index] === '') return fallback;
    const value = Number(rawArgs[index]);
    if (!Number.isInteger(value) || value < (index === 1 ? 0 : 1))
      throw new Error(`"${token}": "${rawArgs[index]}" is not a valid size`);
    return value;
  });
  const parts = spec.build(args, nullable);
  const prop = strings.camelize(json);
  const orNull = nullable ? ' | null' : '';
  return {
    json,
    prop,
    type,
    nullable,
    entityColumn: `@Column({ ${prop === json ? '' : `name: '${json}', `}${parts.column}${nullable ? ', nullable: true' : ''} })`,
    entityType: parts.tsType + orNull,
    dtoType: parts.tsType,
    responseType: (parts.responseType ?? parts.tsType) + orNull,
    fieldImport: parts.decorator,
    createField: decoratorCall(parts.decorator, parts.options, nullable ? ['optional', 'nullable'] : []),
    updateField: decoratorCall(parts.decorator, parts.options, nullable ? ['optional', 'nullable'] : ['optional']),
    apiProperty: `@ApiProperty({ ${parts.api}${nullable ? ', nullable: true' : ''} })`,
    sql: `"${json}" ${parts.sql}${nullable ? '' : ' NOT NULL'}`,
    toResponse: (value) => (parts.toResponse ? parts.toResponse(value, nullable) : value),
    samples: parts.samples,
    invalid: parts.invalid,
  };
}

/** @param {string} list the fields, separated by spaces or commas */
export function parseFields(list) {
  const tokens = list.split(/[\s,]+/).filter(Boolean);
  if (tokens.length === 0)
    throw new Error(`Give at least one field, e.g. "title:string:255 price:number done:boolean? due:date?"`);
  const fields = tokens.map(parseField);
  const seen = new Set();
  for (const field of fields) {
    if (seen.has(field.json)) throw new Error(`The field ${field.json} is given twice`);
    seen.add(field.json);
  }
  return fields;
}
