import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../../common/auth/principal.js';
import { IS_PUBLIC } from '../../common/auth/public.decorator.js';
import { needsSession, SESSION_ONLY, type SessionCondition } from '../../common/auth/session-only.decorator.js';
import { isDatabaseUnavailable } from '../../common/errors/database-errors.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { inSpan } from '../../telemetry/tracing.js';
import { ApiKeyStrategy } from './api-key.strategy.js';
import { JwtStrategy } from './jwt.strategy.js';
import type { CredentialsCarrier } from './request-strategy.js';

/**
 * The global guard: every route needs an API key (ApiKeyStrategy) or a bearer token (JwtStrategy)
 * unless marked `@Public()`, and a password session where marked `@SessionOnly()`. No credentials
 * is 401 "Not authenticated"; any that fail are 401 "Could not validate credentials"; an inactive
 * user is 403.
 *
 * It has the shape of `AuthGuard(['api-key', 'jwt'])` but calls the strategies' `validate()`
 * itself: going through passport cost about an eighth of an authenticated cached read's
 * throughput in the benchmark (docs/decisions.md), and passport's strategy registry is one per
 * process, which several app instances in one process (the e2e tests) would share.
 */
@Injectable()
export class AuthenticationGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly apiKeys: ApiKeyStrategy,
    private readonly jwt: JwtStrategy,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest & { user: Principal }>();
    // A span of its own when tracing: who the caller is can cost a database read.
    request.user = await inSpan('AuthenticationGuard', 'internal', () => this.authenticate(request));
    const sessionCondition = this.reflector.getAllAndOverride<SessionCondition | undefined>(SESSION_ONLY, targets);
    if (request.user.apiKey && needsSession(sessionCondition, request.body)) throw new DomainError('SESSION_REQUIRED');
    // Responses for a signed-in caller are theirs alone: no shared or browser cache keeps them.
    http.getResponse<FastifyReply>().header('Cache-Control', 'private, no-store');
    return true;
  }

  /**
   * The caller: by `X-API-Key` when the request has one, else by its bearer token. A database
   * that cannot be reached is an outage (503 through the error filter), not bad credentials; any
   * other surprise is a 401. Also used for requests Nest does not route (the queue dashboard).
   */
  async authenticate(request: CredentialsCarrier): Promise<Principal> {
    try {
      return (await this.apiKeys.validate(request)) ?? (await this.jwt.validate(request));
    } catch (error) {
      if (error instanceof DomainError || (error instanceof Error && isDatabaseUnavailable(error))) throw error;
      throw new DomainError('INVALID_CREDENTIALS');
    }
  }
}
