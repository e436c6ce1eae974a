import { applyDecorators, SetMetadata } from '@nestjs/common';
import { DECORATORS } from '@nestjs/swagger';

export const IS_PUBLIC = 'isPublic';

/**
 * Opts a controller or handler out of the global authentication guard, and out of the
 * document-wide security requirement: `[{}]` is OpenAPI for "no credentials needed" (an empty
 * list would be dropped by the document builder and the global requirement would apply).
 */
export const Public = () =>
  applyDecorators(
    SetMetadata(IS_PUBLIC, true),
    (target: object, _key?: string | symbol, descriptor?: PropertyDescriptor) => {
      Reflect.defineMetadata(DECORATORS.API_SECURITY, [{}], (descriptor?.value as object | undefined) ?? target);
    },
  );
