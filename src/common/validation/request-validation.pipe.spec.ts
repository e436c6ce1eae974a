import { EmailField, IntegerQueryField, PasswordField, TextField, BooleanField } from './fields.js';
import { RequestValidationPipe } from './request-validation.pipe.js';
import { RequestValidationException, type ValidationIssue } from './validation-error.js';

class CreateThingDto {
  @TextField({ min: 1, max: 10 })
  title: string;

  @TextField({ max: 5, optional: true, nullable: true })
  note?: string | null;

  @EmailField({ optional: true })
  email?: string;

  @PasswordField({ optional: true })
  password?: string;

  @BooleanField({ optional: true })
  active?: boolean;
}

class PageQuery {
  @IntegerQueryField({ min: 0, default: 0 })
  skip: number;

  @IntegerQueryField({ min: 1, max: 1000, default: 100 })
  limit: number;
}

async function issuesFor(
  value: unknown,
  metatype: new () => object,
  type: 'body' | 'query' = 'body',
): Promise<ValidationIssue[]> {
  const sut = new RequestValidationPipe();
  try {
    await sut.transform(value, { type, metatype });
  } catch (error) {
    if (error instanceof RequestValidationException) return error.issues;
    throw error;
  }
  return [];
}

describe(RequestValidationPipe.name, () => {
  const sut = new RequestValidationPipe();

  it('returns a DTO instance without unknown properties', async () => {
    const result = await sut.transform(
      { title: 'ok', confirm_password: 'x', is_superuser: true },
      { type: 'body', metatype: CreateThingDto },
    );
    expect(result).toBeInstanceOf(CreateThingDto);
    expect(result).toEqual({ title: 'ok' });
  });

  it('reports a missing field as pydantic does', async () => {
    expect(await issuesFor({}, CreateThingDto)).toEqual([
      { type: 'missing', loc: ['body', 'title'], msg: 'Field required' },
    ]);
  });

  it('reports a wrong type before a length', async () => {
    expect(await issuesFor({ title: 42 }, CreateThingDto)).toEqual([
      { type: 'string_type', loc: ['body', 'title'], msg: 'Input should be a valid string', input: 42 },
    ]);
  });

  it('counts length in characters, so an emoji is one', async () => {
    expect(await issuesFor({ title: '😀'.repeat(10) }, CreateThingDto)).toEqual([]);
    expect(await issuesFor({ title: '😀'.repeat(11) }, CreateThingDto)).toEqual([
      {
        type: 'string_too_long',
        loc: ['body', 'title'],
        msg: 'String should have at most 10 characters',
        input: '😀'.repeat(11),
        ctx: { max_length: 10 },
      },
    ]);
    expect((await issuesFor({ title: '' }, CreateThingDto))[0]).toMatchObject({
      type: 'string_too_short',
      ctx: { min_length: 1 },
    });
  });

  it('accepts null only where a field is nullable', async () => {
    expect(await issuesFor({ title: 'a', note: null }, CreateThingDto)).toEqual([]);
    expect((await issuesFor({ title: null }, CreateThingDto))[0]).toMatchObject({
      type: 'missing',
      loc: ['body', 'title'],
    });
  });

  it('cuts long inputs at 100 characters and never echoes a password', async () => {
    const [longEmail] = await issuesFor({ title: 'a', email: 'x'.repeat(300) }, CreateThingDto);
    expect(longEmail).toMatchObject({ type: 'value_error', loc: ['body', 'email'], input: 'x'.repeat(100) });
    const [shortPassword] = await issuesFor({ title: 'a', password: 'short' }, CreateThingDto);
    expect(shortPassword).toEqual({
      type: 'string_too_short',
      loc: ['body', 'password'],
      msg: 'String should have at least 8 characters',
      ctx: { min_length: 8 },
    });
  });

  it('refuses NUL characters, which PostgreSQL text cannot hold', async () => {
    const [title] = await issuesFor({ title: 'a\u0000b' }, CreateThingDto);
    expect(title).toMatchObject({
      type: 'string_pattern_mismatch',
      loc: ['body', 'title'],
      msg: 'String should not contain NUL characters',
    });
    const [email] = await issuesFor({ title: 'a', email: 'a\u0000@example.com' }, CreateThingDto);
    expect(email).toMatchObject({ type: 'value_error', loc: ['body', 'email'] });
  });

  it('echoes a small structured input, not a large one', async () => {
    const [small] = await issuesFor({ title: ['a', 'b'] }, CreateThingDto);
    expect(small).toMatchObject({ type: 'string_type', input: ['a', 'b'] });
    const [large] = await issuesFor({ title: Array.from({ length: 500 }, (_, i) => i) }, CreateThingDto);
    expect(large).not.toHaveProperty('input');
  });

  it('refuses a body nested deeper than any DTO before transforming it', async () => {
    expect(await issuesFor({ title: 'a', extra: nestedArrays(30) }, CreateThingDto)).toEqual([]);
    for (const depth of [40, 20_000]) {
      expect(await issuesFor({ title: nestedArrays(depth) }, CreateThingDto)).toEqual([
        { type: 'value_error', loc: ['body'], msg: 'Value error, input is nested more than 32 levels deep' },
      ]);
    }
  });

  it('rejects a body that is not a JSON object', async () => {
    for (const body of [[1, 2], 'text', 7, null]) {
      const [issue] = await issuesFor(body, CreateThingDto);
      expect(issue).toMatchObject({ type: 'model_attributes_type', loc: ['body'] });
    }
  });

  it('reports several fields at once', async () => {
    const issues = await issuesFor({ title: '', active: 'yes' }, CreateThingDto);
    expect(issues.map((issue) => issue.loc)).toEqual([
      ['body', 'title'],
      ['body', 'active'],
    ]);
    expect(issues[1]).toMatchObject({ type: 'bool_type', input: 'yes' });
  });

  it('parses and bounds integer query parameters', async () => {
    const defaults = (await sut.transform({}, { type: 'query', metatype: PageQuery })) as PageQuery;
    expect([defaults.skip, defaults.limit]).toEqual([0, 100]);
    const given = (await sut.transform(
      { skip: '5', limit: '1000' },
      { type: 'query', metatype: PageQuery },
    )) as PageQuery;
    expect([given.skip, given.limit]).toEqual([5, 1000]);
    expect(await issuesFor({ limit: '0' }, PageQuery, 'query')).toEqual([
      {
        type: 'greater_than_equal',
        loc: ['query', 'limit'],
        msg: 'Input should be greater than or equal to 1',
        input: 0,
        ctx: { ge: 1 },
      },
    ]);
    expect((await issuesFor({ limit: '1001' }, PageQuery, 'query'))[0]).toMatchObject({
      type: 'less_than_equal',
      ctx: { le: 1000 },
    });
    expect((await issuesFor({ skip: 'abc' }, PageQuery, 'query'))[0]).toMatchObject({
      type: 'int_parsing',
      loc: ['query', 'skip'],
      input: 'abc',
    });
  });

  it('leaves primitives and named fields alone', async () => {
    expect(await sut.transform('abc', { type: 'param', metatype: String, data: 'id' })).toBe('abc');
  });
});

/** `[[[...]]]`, `depth` levels deep, built without recursion. */
function nestedArrays(depth: number): unknown[] {
  let value: unknown[] = [];
  for (let level = 1; level < depth; level++) value = [value];
  return value;
}
