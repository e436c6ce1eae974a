import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiForbiddenResponse } from '@nestjs/swagger';
import { DETAIL } from '../errors/domain-error.js';

/** Which requests of a route need a password session, judged by the (not yet validated) JSON body. */
export type SessionCondition = (body: Record<string, unknown>) => boolean;

export const SESSION_ONLY = 'auth:session-only';

const always: SessionCondition = () => true;

/**
 * For what changes how an account signs in or what it may do (new API keys, an email, a
 * password, superuser rights, deleting the account): a leaked key must not be turned into a
 * lasting hold on an account. With `when`, only the requests whose body it picks need a session.
 * The global authentication guard refuses the others with 403, before validation.
 */
export const SessionOnly = (when: SessionCondition = always) =>
  applyDecorators(SetMetadata(SESSION_ONLY, when), ApiForbiddenResponse({ description: DETAIL.SESSION_REQUIRED }));

/** Whether a request with this body needs a password session, given the route's condition (if any). */
export function needsSession(condition: SessionCondition | undefined, body: unknown): boolean {
  if (!condition) return false;
  return condition(typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {});
}
