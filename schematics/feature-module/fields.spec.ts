import { parseField, parseFields } from './fields.js';

describe('feature-module field list', () => {
  it('reads name, type, sizes and the optional marker', () => {
    const [title, price, due] = parseFields('title:string:120, price:decimal:10:2 due_at:datetime?');
    expect(title).toMatchObject({
      json: 'title',
      sql: '"title" character varying(120) NOT NULL',
      createField: 'TextField({ min: 1, max: 120 })',
    });
    expect(price).toMatchObject({
      sql: '"price" numeric(10,2) NOT NULL',
      createField: 'NumberField({ min: -99999999.99, max: 99999999.99 })',
    });
    expect(due).toMatchObject({
      json: 'due_at',
      prop: 'dueAt',
      nullable: true,
      sql: '"due_at" TIMESTAMP WITH TIME ZONE',
      entityType: 'Date | null',
    });
    expect(due.createField).toBe('DateTimeField({ optional: true, nullable: true })');
    expect(due.toResponse('row.dueAt')).toBe('row.dueAt?.toISOString() ?? null');
  });

  it('lets a required field be left out of an update, never set to null', () => {
    expect(parseField('count:int').updateField).toBe('IntegerField({ optional: true })');
    expect(parseField('count:int?').updateField).toBe('IntegerField({ optional: true, nullable: true })');
  });

  it('takes camelCase names as their snake_case column', () => {
    expect(parseField('inStock:boolean')).toMatchObject({
      json: 'in_stock',
      prop: 'inStock',
      entityColumn: "@Column({ name: 'in_stock', type: 'boolean' })",
    });
  });

  it('refuses what would not build or would clash', () => {
    expect(() => parseFields('')).toThrow(/at least one field/);
    expect(() => parseField('title:strin')).toThrow(/unknown type "strin"/);
    expect(() => parseField('owner_id:uuid')).toThrow(/has already/);
    expect(() => parseField('9lives:integer')).toThrow(/letters, digits and underscores/);
    expect(() => parseField('title:string:0')).toThrow(/not a valid size/);
    expect(() => parseField('flag:boolean:1')).toThrow(/at most 0 argument/);
    expect(() => parseField('price:decimal:20:2')).toThrow(/15 digits/);
    expect(() => parseField('price:decimal:4:6')).toThrow(/scale cannot exceed/);
    expect(() => parseFields('a:text b:text a:integer')).toThrow(/given twice/);
  });
});
