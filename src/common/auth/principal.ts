import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

/**
 * Who is calling: set on the request by the authentication guard. `user` is the users module's
 * entity; `sessionId` names the login session a bearer token belongs to, and `apiKey` the key a
 * machine client called with (one or the other).
 */
export interface Principal<TUser = unknown> {
  user: TUser;
  sessionId?: string;
  apiKey?: { id: string; readOnly: boolean };
}

export interface SuperuserAware {
  isSuperuser: boolean;
}

type AuthenticatedRequest = FastifyRequest & { user?: Principal };

export function principalOf(context: ExecutionContext): Principal | undefined {
  return context.switchToHttp().getRequest<AuthenticatedRequest>().user;
}

/** The authenticated user of the request (guarded routes only). */
export const CurrentUser = createParamDecorator(
  (_data: unknown, context: ExecutionContext) => principalOf(context)?.user,
);

/** The id of the caller's login session (guarded routes; undefined for an API key). */
export const CurrentSessionId = createParamDecorator(
  (_data: unknown, context: ExecutionContext) => principalOf(context)?.sessionId,
);
