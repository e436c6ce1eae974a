import { DateField, DateTimeField, IntegerField, NumberField, UuidField } from './fields.js';
import { RequestValidationPipe } from './request-validation.pipe.js';
import { RequestValidationException, type ValidationIssue } from './validation-error.js';

class MeasurementDto {
  @IntegerField({ optional: true })
  count?: number;

  @NumberField({ optional: true, min: -10, max: 10 })
  reading?: number;

  @UuidField({ optional: true, nullable: true })
  sensor_id?: string | null;

  @DateField({ optional: true })
  day?: string;

  @DateTimeField({ optional: true })
  taken_at?: Date;
}

const sut = new RequestValidationPipe();

async function accepted(body: object): Promise<MeasurementDto> {
  return (await sut.transform(body, { type: 'body', metatype: MeasurementDto })) as MeasurementDto;
}

async function firstIssue(body: object): Promise<ValidationIssue | undefined> {
  try {
    await accepted(body);
  } catch (error) {
    if (error instanceof RequestValidationException) return error.issues[0];
    throw error;
  }
  return undefined;
}

describe('value field decorators', () => {
  it('takes JSON integers within PostgreSQL integer range, not strings or fractions', async () => {
    expect((await accepted({ count: 2_147_483_647 })).count).toBe(2_147_483_647);
    expect(await firstIssue({ count: '3' })).toMatchObject({ type: 'int_type', loc: ['body', 'count'], input: '3' });
    expect(await firstIssue({ count: 1.5 })).toMatchObject({ type: 'int_type' });
    expect(await firstIssue({ count: 2_147_483_648 })).toMatchObject({
      type: 'less_than_equal',
      ctx: { le: 2_147_483_647 },
    });
  });

  it('takes finite numbers within the given bounds', async () => {
    expect((await accepted({ reading: -2.5 })).reading).toBe(-2.5);
    expect(await firstIssue({ reading: 'NaN' })).toMatchObject({ type: 'float_type', input: 'NaN' });
    expect(await firstIssue({ reading: 11 })).toMatchObject({ type: 'less_than_equal', ctx: { le: 10 } });
  });

  it('takes UUIDs in lower case, and null where nullable', async () => {
    expect((await accepted({ sensor_id: 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11' })).sensor_id).toBe(
      'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
    );
    expect((await accepted({ sensor_id: null })).sensor_id).toBeNull();
    expect(await firstIssue({ sensor_id: 'nope' })).toMatchObject({ type: 'uuid_parsing', input: 'nope' });
  });

  it('takes calendar days that exist, as YYYY-MM-DD', async () => {
    expect((await accepted({ day: '2028-02-29' })).day).toBe('2028-02-29');
    for (const day of ['2026-02-30', '2026-2-3', '2026-01-01T00:00:00Z', 20260101]) {
      expect(await firstIssue({ day })).toMatchObject({ type: 'date_from_datetime_parsing', input: day });
    }
  });

  it('takes timestamps with a zone as Date instances, and refuses those without one', async () => {
    expect((await accepted({ taken_at: '2026-12-01T10:00:00+02:00' })).taken_at).toEqual(
      new Date('2026-12-01T08:00:00Z'),
    );
    for (const taken_at of ['2026-12-01T10:00:00', '2026-13-01T10:00:00Z', 'yesterday']) {
      expect(await firstIssue({ taken_at })).toMatchObject({ type: 'datetime_from_date_parsing', input: taken_at });
    }
  });
});
