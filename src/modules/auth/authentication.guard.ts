import { type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { FastifyReply, FastifyRequest } from 'fastify';
import passport from 'passport';
import type { Principal } from '../../common/auth/principal.js';
import { IS_PUBLIC } from '../../common/auth/public.decorator.js';
import { needsSession, SESSION_ONLY, type SessionCondition } from '../../common/auth/session-only.decorator.js';
import { isDatabaseUnavailable } from '../../common/errors/database-errors.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { type CredentialsCarrier, StrategyNames } from './request-strategy.js';

/**
 * The global guard: every route needs an API key (ApiKeyStrategy) or a bearer token (JwtStrategy)
 * unless marked `@Public()`, and a password session where marked `@SessionOnly()`. No credentials
 * is 401 "Not authenticated"; any that fail are 401 "Could not validate credentials"; an inactive
 * user is 403.
 */
@Injectable()
export class AuthenticationGuard extends AuthGuard() {
  constructor(
    private readonly reflector: Reflector,
    private readonly names: StrategyNames,
  ) {
    super({ defaultStrategy: names.all, session: false });
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    await super.canActivate(context);
    const request = context.switchToHttp().getRequest<FastifyRequest & { user: Principal }>();
    const sessionCondition = this.reflector.getAllAndOverride<SessionCondition | undefined>(SESSION_ONLY, targets);
    if (request.user.apiKey && needsSession(sessionCondition, request.body)) throw new DomainError('SESSION_REQUIRED');
    // Responses for a signed-in caller are theirs alone: no shared or browser cache keeps them.
    context.switchToHttp().getResponse<FastifyReply>().header('Cache-Control', 'private, no-store');
    return true;
  }

  /**
   * How an attempt ends, as the caller is to hear it: a database that cannot be reached is an
   * outage (503 through the error filter), not bad credentials; any other surprise is a 401.
   */
  override handleRequest<TPrincipal = Principal>(error: unknown, principal: unknown): TPrincipal {
    if (error instanceof DomainError || (error instanceof Error && isDatabaseUnavailable(error))) throw error;
    if (error) throw new DomainError('INVALID_CREDENTIALS');
    if (!principal) throw new DomainError('NOT_AUTHENTICATED');
    return principal as TPrincipal;
  }

  /** The same check for a request Nest does not route (the queue dashboard's Fastify hook). */
  async authenticate(request: CredentialsCarrier): Promise<Principal> {
    const [error, principal] = await new Promise<[unknown, unknown]>((resolve) => {
      const attempt = passport.authenticate(this.names.all, { session: false }, (...outcome: [unknown, unknown]) =>
        resolve(outcome),
      ) as (request: unknown, response: unknown, next: (error: unknown) => void) => void;
      attempt(request, {}, (failure) => resolve([failure, undefined]));
    });
    return this.handleRequest(error, principal);
  }
}
