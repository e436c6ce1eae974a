import {
  applyDecorators,
  type CanActivate,
  type ExecutionContext,
  Injectable,
  SetMetadata,
  UseGuards,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiForbiddenResponse } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { DETAIL, DomainError } from '../errors/domain-error.js';
import { principalOf } from './principal.js';

/** Which requests of a route need a password session, judged by the (not yet validated) JSON body. */
type BodyCondition = (body: Record<string, unknown>) => boolean;

const SESSION_ONLY_WHEN = 'auth:session-only-when';

/**
 * Refuses callers that authenticated with an API key, on the whole route or on the requests
 * its condition picks; runs after the global authentication guard, before validation.
 */
@Injectable()
export class SessionOnlyGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (!principalOf(context)?.apiKey) return true;
    const condition = this.reflector.get<BodyCondition | undefined>(SESSION_ONLY_WHEN, context.getHandler());
    const body = context.switchToHttp().getRequest<FastifyRequest>().body;
    const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
    if (!condition || condition(fields)) throw new DomainError('SESSION_REQUIRED');
    return true;
  }
}

/**
 * For what changes how an account signs in or what it may do (new API keys, an email, a
 * password, superuser rights, deleting the account): a leaked key must not be turned into a
 * lasting hold on an account. With `when`, only the requests whose body it picks need a session.
 */
export const SessionOnly = (when?: BodyCondition) =>
  applyDecorators(
    SetMetadata(SESSION_ONLY_WHEN, when),
    UseGuards(SessionOnlyGuard),
    ApiForbiddenResponse({ description: DETAIL.SESSION_REQUIRED }),
  );
