import fc from 'fast-check';
import type { Operation, Schema } from './openapi-operations.js';

/** One generated HTTP request. */
export interface FuzzRequest {
  operation: Operation;
  caller: CallerKind;
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string;
}

export type CallerKind = 'anonymous' | 'normal' | 'superuser';

/** Ids that exist, so that some generated requests reach real rows. */
export interface KnownIds {
  uuids: string[];
  /** Path values that are names, not ids (a configured provider's). */
  names?: string[];
}

const INJECTIONS = [
  "' OR '1'='1",
  "'; DROP TABLE users; --",
  '" OR ""="',
  '1; SELECT pg_sleep(5)',
  '<script>alert(1)</script>',
  '{{7*7}}',
  '${jndi:ldap://127.0.0.1/a}',
  '../../../../etc/passwd',
  '%00',
  '\u0000',
  '__proto__',
  'constructor',
  '$where',
  '{"$gt": ""}',
];

/** Strings a careless parser or query would trip on. */
const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(...INJECTIONS),
  fc.integer({ min: 256, max: 200_000 }).map((length) => 'x'.repeat(length)),
  fc.constantFrom('', ' ', '\t\n', 'null', 'undefined', 'NaN', '-1', '1e309', '😀'.repeat(300)),
);

/** JSON nested deeper than any DTO, as text (no parser here builds it). */
const deepJson: fc.Arbitrary<string> = fc
  .integer({ min: 50, max: 20_000 })
  .map((depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`);

/** Any JSON value, sometimes with dangerous keys. */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.jsonValue({ maxDepth: 3 }),
  // Deep inside a body; kept within what JSON.stringify here can write back out.
  fc.integer({ min: 30, max: 1_500 }).map((depth) => JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`) as unknown),
  fc.constant({ __proto__: { is_superuser: true } }),
  fc.constant({ constructor: { prototype: { is_superuser: true } } }),
);

/** A value that fits `schema` (types, lengths, formats, bounds), as the API documents it. */
export function valueFor(schema: Schema | undefined): fc.Arbitrary<unknown> {
  const type = schema?.type;
  if (schema?.enum) return fc.constantFrom(...(schema.enum as unknown[]));
  if (type === 'boolean') return fc.boolean();
  if (type === 'integer' || type === 'number') {
    const min = typeof schema?.minimum === 'number' ? schema.minimum : -1_000;
    const max = typeof schema?.maximum === 'number' ? schema.maximum : 1_000;
    return fc.integer({ min, max });
  }
  if (type === 'array') return fc.array(valueFor(schema?.items as Schema), { maxLength: 3 });
  if (type === 'object' || schema?.properties) return objectFor(schema ?? {});
  if (schema?.format === 'email' || schema?.format === 'idn-email')
    return fc.emailAddress().filter((email) => email.length <= 254);
  if (schema?.format === 'uuid') return fc.uuid();
  if (schema?.format === 'date-time')
    return fc
      .date({ min: new Date('2030-01-01'), max: new Date('2099-01-01'), noInvalidDate: true })
      .map((date) => date.toISOString());
  const minLength = typeof schema?.minLength === 'number' ? schema.minLength : 0;
  const maxLength = typeof schema?.maxLength === 'number' ? Math.min(schema.maxLength, 300) : 50;
  return fc.string({ minLength, maxLength });
}

function objectFor(schema: Schema): fc.Arbitrary<Record<string, unknown>> {
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  const required = new Set((schema.required ?? []) as string[]);
  const shape = Object.fromEntries(Object.entries(properties).map(([name, property]) => [name, valueFor(property)]));
  return fc.record(shape, { requiredKeys: Object.keys(properties).filter((name) => required.has(name)) });
}

/** A valid body with one thing wrong: a field of the wrong kind, a required one missing, extras. */
function brokenBodyFor(schema: Schema): fc.Arbitrary<unknown> {
  const properties = Object.keys(schema.properties ?? {});
  const valid = objectFor(schema);
  const mutations: fc.Arbitrary<unknown>[] = [
    hostileValue,
    fc
      .tuple(valid, fc.dictionary(fc.string({ maxLength: 20 }), hostileValue, { maxKeys: 4 }))
      .map(([body, extra]) => ({ ...extra, ...body, ...extra })),
  ];
  if (properties.length > 0) {
    const field = fc.constantFrom(...properties);
    mutations.push(fc.tuple(valid, field, hostileValue).map(([body, name, value]) => ({ ...body, [name]: value })));
    mutations.push(
      fc
        .tuple(valid, field)
        .map(([body, name]) => Object.fromEntries(Object.entries(body).filter(([key]) => key !== name))),
    );
  }
  return fc.oneof(...mutations);
}

const MEDIA_TYPES = [
  'text/plain',
  'application/xml',
  'multipart/form-data; boundary=x',
  'application/json; charset=latin1',
  'application/octet-stream',
];

function bodyFor(operation: Operation): fc.Arbitrary<{ contentType?: string; payload?: string }> {
  const schema = operation.bodySchema;
  const json = (value: unknown) => ({ contentType: 'application/json', payload: JSON.stringify(value) });
  const strange: fc.Arbitrary<{ contentType?: string; payload?: string }>[] = [
    fc.record({ contentType: fc.constantFrom(...MEDIA_TYPES), payload: hostileString }),
    deepJson.map((payload) => ({ contentType: 'application/json', payload })),
    fc
      .constantFrom('{', '{"a":', '{"title": "x",}', '\u0000', 'true', '[1,2]', '"text"')
      .map((payload) => ({ contentType: 'application/json', payload })),
    fc.constant({}),
  ];
  if (!schema)
    return fc.oneof(
      { weight: 4, arbitrary: fc.constant({}) },
      ...strange.map((arbitrary) => ({ weight: 1, arbitrary })),
    );
  return fc.oneof(
    { weight: 4, arbitrary: objectFor(schema).map(json) },
    { weight: 4, arbitrary: brokenBodyFor(schema).map(json) },
    ...(operation.bodyMediaTypes.includes('application/x-www-form-urlencoded')
      ? [
          {
            weight: 1,
            arbitrary: objectFor(schema).map((body) => ({
              contentType: 'application/x-www-form-urlencoded',
              payload: new URLSearchParams(body as Record<string, string>).toString(),
            })),
          },
        ]
      : []),
    ...strange.map((arbitrary) => ({ weight: 1, arbitrary })),
  );
}

function pathValue(known: KnownIds): fc.Arbitrary<string> {
  return fc.oneof(
    // An index, not constantFrom: the list grows as the run makes new rows.
    { weight: 3, arbitrary: fc.nat().map((index) => known.uuids[index % known.uuids.length]) },
    { weight: 2, arbitrary: fc.uuid() },
    { weight: 2, arbitrary: hostileString.filter((text) => text.length > 0 && text.length < 2000) },
    ...(known.names?.length ? [{ weight: 1, arbitrary: fc.constantFrom(...known.names) }] : []),
  );
}

function queryFor(operation: Operation): fc.Arbitrary<string> {
  if (operation.queryParameters.length === 0)
    return fc.oneof(
      fc.constant(''),
      hostileString.map((text) => `x=${encodeURIComponent(text.slice(0, 500))}`),
    );
  const values = operation.queryParameters.map(({ name, schema }) =>
    fc
      .option(
        fc.oneof(
          valueFor(schema).map(String),
          fc.constantFrom('-1', '0', '1001', '99999999999999999999', '1.5', 'abc', '', '1e3', '0x10'),
          hostileString.map((text) => text.slice(0, 500)),
        ),
        { nil: undefined },
      )
      .map((value) => (value === undefined ? '' : `${encodeURIComponent(name)}=${encodeURIComponent(value)}`)),
  );
  return fc.tuple(...values).map((pairs) => pairs.filter(Boolean).join('&'));
}

/** Requests for `operation`, valid and invalid, by any kind of caller. */
export function requestFor(operation: Operation, known: KnownIds): fc.Arbitrary<FuzzRequest> {
  return fc
    .record({
      caller: fc.constantFrom<CallerKind>('anonymous', 'normal', 'superuser'),
      pathValues: fc.tuple(...operation.pathParameters.map(() => pathValue(known))),
      query: queryFor(operation),
      body: bodyFor(operation),
    })
    .map(({ caller, pathValues, query, body }) => {
      let path = operation.path;
      operation.pathParameters.forEach(
        (name, index) => (path = path.replace(`{${name}}`, encodeURIComponent(pathValues[index]))),
      );
      const headers: Record<string, string> = {};
      if (body.contentType) headers['content-type'] = body.contentType;
      return {
        operation,
        caller,
        method: operation.method,
        url: query ? `${path}?${query}` : path,
        headers,
        payload: body.payload,
      };
    });
}
