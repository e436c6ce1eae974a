import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../../common/auth/principal.js';
import { IS_PUBLIC } from '../../common/auth/public.decorator.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { InvalidCredentialsError, MissingCredentialsError } from './auth-errors.js';
import { JwtStrategy } from './jwt.strategy.js';

const BEARER = /^Bearer\s+\S/i;

/** The callbacks passport gives a strategy for one authentication attempt. */
interface StrategyAttempt {
  success(principal: Principal): void;
  fail(): void;
  error(error: unknown): void;
  pass(): void;
  authenticate(request: unknown, options: object): void;
}

/**
 * The global guard: every route needs a valid bearer token unless marked `@Public()`.
 * No token is 401 "Not authenticated"; any token that fails is 401 "Could not validate
 * credentials"; an inactive user is 403.
 *
 * It runs this app's own JwtStrategy instance, as passport does for one attempt, instead of
 * going through passport's process-wide strategy registry: with several app instances in one
 * process (tests of multi-process behaviour), the registry would hold the last one created.
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly strategy: JwtStrategy,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
    if (isPublic) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest & { user?: Principal }>();
    if (!BEARER.test(request.headers.authorization ?? '')) throw new MissingCredentialsError();
    request.user = await this.authenticate(request);
    // Responses for a signed-in caller are theirs alone: no shared or browser cache keeps them.
    context.switchToHttp().getResponse<FastifyReply>().header('Cache-Control', 'private, no-store');
    return true;
  }

  private authenticate(request: FastifyRequest): Promise<Principal> {
    return new Promise((resolve, reject) => {
      const attempt = Object.create(this.strategy) as StrategyAttempt;
      attempt.success = resolve;
      attempt.fail = () => reject(new InvalidCredentialsError());
      attempt.pass = () => reject(new InvalidCredentialsError());
      attempt.error = (error) => reject(error instanceof DomainError ? error : new InvalidCredentialsError());
      attempt.authenticate(request, { session: false });
    });
  }
}
