/** Length in code points, so an emoji counts as one character. */
export function codePoints(value: string): number {
  let count = 0;
  for (const _ of value) count++;
  return count;
}

/** The contract's password rule, in code points; also what production asks of FIRST_SUPERUSER_PASSWORD. */
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;
