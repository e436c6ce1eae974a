import {
  applyDecorators,
  type CallHandler,
  type ExecutionContext,
  Injectable,
  Logger,
  type NestInterceptor,
  SetMetadata,
  UseInterceptors,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type Observable, of, tap } from 'rxjs';
import type { Principal } from '../../common/auth/principal.js';
import { type CacheScope, ResponseCache } from './response-cache.service.js';
import { JSON_CONTENT_TYPE } from '../../common/http/json-content-type.js';

const SHARED_RESPONSE = 'cache:shared-response';

interface CachingCaller {
  id: string;
  isSuperuser: boolean;
}

/**
 * Serves GET responses of owner-scoped data from the Redis cache. The key holds the caller, the
 * full URL (path and query) and the version of the data shown: the caller's own rows, or all
 * rows for a superuser and on routes of data every user sees. `X-Cache: HIT|MISS` tells which it was.
 */
@Injectable()
export class CacheResponseInterceptor implements NestInterceptor {
  private readonly logger = new Logger('ResponseCache');

  constructor(
    private readonly cache: ResponseCache,
    private readonly reflector: Reflector,
  ) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest & { user?: Principal<CachingCaller> }>();
    const reply = http.getResponse<FastifyReply>();
    const caller = request.user?.user;
    if (!this.cache.enabled || request.method !== 'GET' || !caller) return next.handle();

    const shared = this.reflector.get<boolean | undefined>(SHARED_RESPONSE, context.getHandler()) === true;
    const scope: CacheScope = shared || caller.isSuperuser ? { kind: 'all' } : { kind: 'owner', ownerId: caller.id };
    const key = await this.cache.keyFor(scope, caller.id, request.url);
    const cached = key ? await this.cache.get(key) : undefined;
    if (cached !== undefined) {
      // The stored body is the JSON text the miss sent, sent as it is (a string: its type is set here).
      reply.header('X-Cache', 'HIT').type(JSON_CONTENT_TYPE);
      return of(cached);
    }
    // Misses only: a hit is the hot path, and X-Cache and the counters tell of it.
    this.logger.debug(`miss ${request.url}`);
    reply.header('X-Cache', 'MISS');
    return next.handle().pipe(
      tap((body) => {
        // Stored in the background: the response does not wait for Redis.
        if (key && reply.statusCode === 200) void this.cache.set(key, JSON.stringify(body));
      }),
    );
  }
}

/**
 * Caches a GET route's responses per caller; writes invalidate them through ResponseCache:
 * `invalidateOwner()` for owner-scoped data, `invalidateShared()` for `shared` data (the same
 * rows for every user).
 */
export const CacheResponse = (options: { shared?: boolean } = {}) =>
  applyDecorators(SetMetadata(SHARED_RESPONSE, options.shared === true), UseInterceptors(CacheResponseInterceptor));
