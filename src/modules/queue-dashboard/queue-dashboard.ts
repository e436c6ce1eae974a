import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { toErrorResponse } from '../../common/errors/http-error.filter.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { NOT_ENOUGH_PRIVILEGES } from '../../common/auth/superuser.guard.js';
import { API_KEY_HEADER, RequestAuthenticator } from '../auth/request-authenticator.js';
import { JobQueue } from '../jobs/job-queue.service.js';
import type { User } from '../users/entities/user.entity.js';

export const DASHBOARD_PATH = '/api/v1/admin/queues';
export const DASHBOARD_COOKIE = 'queues_token';
const CROSS_SITE_REFUSED = 'Cross-site request refused';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Whether the browser says the request comes from the dashboard's own pages. Browsers send
 * `Sec-Fetch-Site` or at least `Origin` on every POST, so a request with neither is refused too.
 */
function fromOwnOrigin(request: FastifyRequest): boolean {
  return request.headers['sec-fetch-site'] === 'same-origin' || request.headers.origin === `${request.protocol}://${request.host}`;
}

/**
 * Bull Board (waiting, active, failed jobs; retry) for superusers, at /api/v1/admin/queues.
 * Every request is authenticated like the API: a bearer token or an API key, or an access token
 * in a cookie set by POST /api/v1/admin/queues-session (a browser cannot send the header).
 */
@Injectable()
export class QueueDashboard implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly jobs: JobQueue,
    private readonly authenticator: RequestAuthenticator,
  ) {}

  onModuleInit(): void {
    // An application context without a server (the REPL) has nothing to mount the board on.
    const adapter = this.adapterHost.httpAdapter;
    if (!adapter) return;
    const board = new FastifyAdapter();
    board.setBasePath(DASHBOARD_PATH);
    createBullBoard({ queues: this.jobs.all().map((queue) => new BullMQAdapter(queue)), serverAdapter: board });

    const fastify = adapter.getInstance<FastifyInstance>();
    fastify.register(async (scope) => {
      scope.addHook('onRequest', (request, reply) => this.superuserOnly(request, reply));
      await scope.register(board.registerPlugin(), { prefix: DASHBOARD_PATH });
    });
  }

  private async superuserOnly(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    // Only a request with no credentials of its own is authenticated by the cookie.
    const token = request.headers.authorization || request.headers[API_KEY_HEADER] ? undefined : request.cookies[DASHBOARD_COOKIE];
    const authorization = request.headers.authorization ?? (token ? `Bearer ${token}` : undefined);
    try {
      // SameSite=Strict is the browser's promise; the origin check is the server's own.
      if (token && !SAFE_METHODS.has(request.method) && !fromOwnOrigin(request)) throw new DomainError(403, CROSS_SITE_REFUSED);
      const { user } = await this.authenticator.authenticate({ method: request.method, ip: request.ip, headers: { ...request.headers, authorization } });
      if (!(user as User).isSuperuser) throw new DomainError(403, NOT_ENOUGH_PRIVILEGES);
      reply.header('Cache-Control', 'private, no-store');
    } catch (error) {
      const response = toErrorResponse(error);
      for (const [name, value] of Object.entries(response.headers ?? {})) reply.header(name, value);
      await reply.status(response.status).type('application/json; charset=utf-8').send(response.body);
    }
  }
}
