import type { ValueTransformer } from 'typeorm';

/**
 * PostgreSQL `numeric` columns arrive as strings (exact beyond a double's range); columns whose
 * precision fits a double (at most 15 digits) read as numbers instead, as the API returns them.
 */
export const numericAsNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};
