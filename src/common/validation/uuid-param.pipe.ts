import { type ArgumentMetadata, Injectable, type PipeTransform } from '@nestjs/common';
import { RequestValidationException, echoInput } from './validation-error.js';

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A malformed UUID in a path is a 422 naming the parameter, as FastAPI answers. */
@Injectable()
export class UuidParamPipe implements PipeTransform<string, string> {
  transform(value: string, metadata: ArgumentMetadata): string {
    if (typeof value === 'string' && UUID_PATTERN.test(value)) return value.toLowerCase();
    throw new RequestValidationException([
      {
        type: 'uuid_parsing',
        loc: ['path', metadata.data ?? 'id'],
        msg: 'Input should be a valid UUID',
        ...echoInput(metadata.data, value),
      },
    ]);
  }
}
