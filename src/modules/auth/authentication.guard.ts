import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../../common/auth/principal.js';
import { IS_PUBLIC } from '../../common/auth/public.decorator.js';
import { RequestAuthenticator } from './request-authenticator.js';

/**
 * The global guard: every route needs a valid bearer token or API key unless marked `@Public()`.
 * No credentials is 401 "Not authenticated"; any that fail are 401 "Could not validate
 * credentials"; an inactive user is 403.
 */
@Injectable()
export class AuthenticationGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: RequestAuthenticator,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
    if (isPublic) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest & { user?: Principal }>();
    request.user = await this.authenticator.authenticate(request);
    // Responses for a signed-in caller are theirs alone: no shared or browser cache keeps them.
    context.switchToHttp().getResponse<FastifyReply>().header('Cache-Control', 'private, no-store');
    return true;
  }
}
