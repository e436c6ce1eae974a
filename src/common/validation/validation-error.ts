import { UnprocessableEntityException } from '@nestjs/common';
import type { ValidationError } from 'class-validator';

/** One entry of a FastAPI/pydantic-shaped 422 body, which the contract's clients read. */
export interface ValidationIssue {
  type: string;
  loc: (string | number)[];
  msg: string;
  input?: unknown;
  ctx?: Record<string, unknown>;
}

/** What a field decorator attaches to a constraint so the 422 names it as pydantic would. */
export interface IssueContext {
  type: string;
  msg: string;
  ctx?: Record<string, unknown>;
}

export type Location = 'body' | 'query' | 'path';

const MAX_ECHOED_INPUT = 100;
const SECRET_FIELD = /password|token|secret/i;

/** Fallbacks for constraints used without an explicit context. */
const KNOWN_CONSTRAINTS: Record<string, IssueContext> = {
  isDefined: { type: 'missing', msg: 'Field required' },
  isString: { type: 'string_type', msg: 'Input should be a valid string' },
  isBoolean: { type: 'bool_type', msg: 'Input should be a valid boolean' },
  isInt: { type: 'int_parsing', msg: 'Input should be a valid integer, unable to parse string as an integer' },
  isUuid: { type: 'uuid_parsing', msg: 'Input should be a valid UUID' },
  isEmail: { type: 'value_error', msg: 'value is not a valid email address' },
  isNotEmptyObject: { type: 'model_attributes_type', msg: 'Input should be a valid dictionary' },
};

/** Type checks are reported before range checks, as pydantic stops at the first failure. */
const PRECEDENCE = [
  'isDefined',
  'isString',
  'isBoolean',
  'isInt',
  'isIntegerValue',
  'isNumberValue',
  'isDateTimeValue',
];

/**
 * Echoes at most 100 characters of a string input, an object or array only when its JSON is that
 * short (a deeply nested one could not even be serialised back), and never a secret.
 */
export function echoInput(field: string | number | undefined, value: unknown): { input?: unknown } {
  if (typeof field === 'string' && SECRET_FIELD.test(field)) return {};
  if (typeof value === 'string' && [...value].length > MAX_ECHOED_INPUT) {
    return { input: [...value].slice(0, MAX_ECHOED_INPUT).join('') };
  }
  if (value !== null && typeof value === 'object' && !fitsEcho(value)) return {};
  return { input: value };
}

function fitsEcho(value: object): boolean {
  try {
    return JSON.stringify(value).length <= MAX_ECHOED_INPUT;
  } catch {
    return false;
  }
}

function issueFor(error: ValidationError, loc: (string | number)[]): ValidationIssue | null {
  const constraints = Object.keys(error.constraints ?? {});
  if (constraints.length === 0) return null;
  const key = PRECEDENCE.find((c) => constraints.includes(c)) ?? constraints[0];
  const explicit = error.contexts?.[key] as IssueContext | undefined;
  const known = explicit ?? KNOWN_CONSTRAINTS[key];
  const described: IssueContext = known ?? { type: 'value_error', msg: error.constraints![key] };
  const issue: ValidationIssue = { type: described.type, loc, msg: described.msg };
  if (described.type !== 'missing') Object.assign(issue, echoInput(error.property, error.value));
  if (described.ctx) issue.ctx = described.ctx;
  return issue;
}

export function toIssues(errors: ValidationError[], prefix: (string | number)[]): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const error of errors) {
    const loc = [...prefix, error.property];
    const issue = issueFor(error, loc);
    if (issue) issues.push(issue);
    if (error.children?.length) issues.push(...toIssues(error.children, loc));
  }
  return issues;
}

export class RequestValidationException extends UnprocessableEntityException {
  constructor(readonly issues: ValidationIssue[]) {
    super({ detail: issues });
  }
}
