import { applyDecorators, type CanActivate, type ExecutionContext, Injectable, UseGuards } from '@nestjs/common';
import { ApiForbiddenResponse } from '@nestjs/swagger';
import { DomainError } from '../errors/domain-error.js';
import { principalOf } from './principal.js';

export const SESSION_REQUIRED = 'This action needs a password login, not an API key';

/** Refuses callers that authenticated with an API key; runs after the global authentication guard. */
@Injectable()
export class SessionOnlyGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (principalOf(context)?.apiKey) throw new DomainError(403, SESSION_REQUIRED);
    return true;
  }
}

/**
 * For the routes that change how the account itself signs in (new API keys, email, password,
 * deleting it): a leaked key must not be turned into a lasting hold on the account.
 */
export const SessionOnly = () => applyDecorators(UseGuards(SessionOnlyGuard), ApiForbiddenResponse({ description: SESSION_REQUIRED }));
