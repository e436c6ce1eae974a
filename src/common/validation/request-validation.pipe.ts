import { type ArgumentMetadata, Injectable, type PipeTransform } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { echoInput, type Location, RequestValidationException, toIssues } from './validation-error.js';

const PRIMITIVES = new Set<unknown>([String, Boolean, Number, Array, Object]);
/** No DTO nests deeper; a deeper body would only exhaust the stack of the recursive transform. */
export const MAX_BODY_DEPTH = 32;

/** Whether `value` nests objects or arrays more than `limit` levels deep (without recursion). */
function nestedDeeperThan(value: unknown, limit: number): boolean {
  let level: unknown[] = [value];
  for (let depth = 0; level.length > 0; depth++) {
    if (depth > limit) return true;
    level = level.flatMap((node): unknown[] => (node !== null && typeof node === 'object' ? Object.values(node) : []));
  }
  return false;
}

const LOCATIONS: Partial<Record<ArgumentMetadata['type'], Location>> = {
  body: 'body',
  query: 'query',
  param: 'path',
};

/**
 * Validates DTO-typed bodies, queries and path params. Unknown properties are stripped (never
 * stored, never an error: clients send extras such as `confirm_password`); failures become a
 * FastAPI-shaped 422.
 */
@Injectable()
export class RequestValidationPipe implements PipeTransform {
  async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const location = LOCATIONS[metadata.type];
    const { metatype } = metadata;
    if (!location || !metatype || PRIMITIVES.has(metatype) || metadata.data) return value;

    if (location === 'body' && (value === null || typeof value !== 'object' || Array.isArray(value))) {
      throw new RequestValidationException([
        {
          type: 'model_attributes_type',
          loc: ['body'],
          msg: 'Input should be a valid dictionary or object to extract fields from',
          ...echoInput(undefined, value ?? null),
        },
      ]);
    }

    if (nestedDeeperThan(value, MAX_BODY_DEPTH)) {
      throw new RequestValidationException([
        {
          type: 'value_error',
          loc: [location],
          msg: `Value error, input is nested more than ${MAX_BODY_DEPTH} levels deep`,
        },
      ]);
    }

    const instance = plainToInstance(metatype, value ?? {}) as object;
    const errors = await validate(instance, {
      whitelist: true,
      forbidNonWhitelisted: false,
      forbidUnknownValues: false,
    });
    if (errors.length > 0) throw new RequestValidationException(toIssues(errors, [location]));
    return instance;
  }
}
