import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { CLS_ID, ClsServiceManager } from 'nestjs-cls';

/** The id of the request being served (in the worker: of the request that queued the job), if any. */
export function currentRequestId(): string | undefined {
  return ClsServiceManager.getClsService().getId();
}

/**
 * Opens the request context (nestjs-cls) with Fastify's request id. It runs first among the
 * guards, so every line logged and every job queued while the request is served names it.
 * (ClsModule would also mount a pass-through interceptor on every route, which costs a request
 * Nest's interceptor chain; this guard is all the API needs of it.)
 */
@Injectable()
export class RequestContextGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    ClsServiceManager.getClsService().enterWith({ [CLS_ID]: context.switchToHttp().getRequest<FastifyRequest>().id });
    return true;
  }
}
