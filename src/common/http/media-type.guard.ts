import {
  type CanActivate,
  type ExecutionContext,
  Injectable,
  SetMetadata,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';

const ACCEPTS_FORM = 'acceptsForm';

/** Lets a handler take `application/x-www-form-urlencoded` bodies (the OAuth2 login form). */
export const AcceptsForm = () => SetMetadata(ACCEPTS_FORM, true);

/**
 * JSON routes answer 415 to a form body instead of reading it: a form cannot carry the types
 * the DTOs validate, and the contract promises 415 for a non-JSON content type.
 */
@Injectable()
export class MediaTypeGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const contentType = request.headers['content-type'];
    if (!contentType?.toLowerCase().startsWith('application/x-www-form-urlencoded')) return true;
    const allowed = this.reflector.getAllAndOverride<boolean>(ACCEPTS_FORM, [context.getHandler(), context.getClass()]);
    if (!allowed) throw new UnsupportedMediaTypeException('Unsupported Media Type');
    return true;
  }
}
