import { IntegerQueryField } from '../validation/fields.js';

export const MAX_PAGE_SIZE = 1000;

/** `skip` and `limit` of every list route. */
export class PageQueryDto {
  // Bounded so the value stays an exact integer that PostgreSQL's OFFSET (bigint) accepts.
  @IntegerQueryField({ min: 0, max: Number.MAX_SAFE_INTEGER, default: 0, description: 'Rows to skip' })
  skip: number;

  @IntegerQueryField({ min: 1, max: MAX_PAGE_SIZE, default: 100, description: 'Rows to return' })
  limit: number;
}
