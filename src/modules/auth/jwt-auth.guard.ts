import { type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { IS_PUBLIC } from '../../common/auth/public.decorator.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { InvalidCredentialsError, MissingCredentialsError } from './auth-errors.js';

const BEARER = /^Bearer\s+\S/i;

/**
 * The global guard: every route needs a valid bearer token unless marked `@Public()`.
 * No token is 401 "Not authenticated"; any token that fails is 401 "Could not validate
 * credentials"; an inactive user is 403.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(context: ExecutionContext) {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
    if (isPublic) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (!BEARER.test(request.headers.authorization ?? '')) throw new MissingCredentialsError();
    return super.canActivate(context);
  }

  override handleRequest<TUser>(error: unknown, principal: TUser | false): TUser {
    if (error instanceof DomainError) throw error;
    if (error || !principal) throw new InvalidCredentialsError();
    return principal;
  }
}
