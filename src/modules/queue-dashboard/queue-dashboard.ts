import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { isNotConnectionError } from 'bullmq';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, preSerializationHookHandler } from 'fastify';
import { type ErrorResponse, logServerError, toErrorResponse } from '../../common/errors/http-error.filter.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { API_KEY_HEADER } from '../auth/api-key.strategy.js';
import { AuthenticationGuard } from '../auth/authentication.guard.js';
import { JobQueue } from '../jobs/job-queue.service.js';
import type { User } from '../users/entities/user.entity.js';
import { JSON_CONTENT_TYPE } from '../../common/http/json-content-type.js';

export const DASHBOARD_PATH = '/api/v1/admin/queues';
export const DASHBOARD_COOKIE = 'queues_token';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const REFUSED_INPUT: ErrorResponse = { status: 400, body: { detail: 'Bad Request' } };

/**
 * Whether the browser says the request comes from the dashboard's own pages. Browsers send
 * `Sec-Fetch-Site` or at least `Origin` on every POST, so a request with neither is refused too.
 */
function fromOwnOrigin(request: FastifyRequest): boolean {
  return (
    request.headers['sec-fetch-site'] === 'same-origin' ||
    request.headers.origin === `${request.protocol}://${request.host}`
  );
}

/**
 * BullMQ refuses input it cannot take (a custom job id with `:` or made of digits, a priority out
 * of range, a job not in the state an action needs) with plain `Error`s, their message built from
 * that input. Redis failures are either errors of their own classes or ones BullMQ itself tells
 * apart (`isNotConnectionError`); programming faults are TypeErrors and the like.
 */
function isRefusedInput(error: Error): boolean {
  return Object.getPrototypeOf(error) === Error.prototype && isNotConnectionError(error);
}

/**
 * bull-board answers its own refusals (unknown queue or job, invalid body) as `{error: {key}}`;
 * the contract's clients read `{detail}`.
 */
const contractErrorBody: preSerializationHookHandler<unknown> = (_request, reply, payload, done) => {
  const contractShaped = typeof payload === 'object' && payload !== null && 'detail' in payload;
  done(
    null,
    reply.statusCode < 400 || contractShaped ? payload : toErrorResponse({ statusCode: reply.statusCode }).body,
  );
};

/**
 * Bull Board (waiting, active, failed jobs; retry) for superusers, at /api/v1/admin/queues.
 * Every request is authenticated like the API: a bearer token or an API key, or an access token
 * in a cookie set by POST /api/v1/admin/queues-session (a browser cannot send the header).
 */
@Injectable()
export class QueueDashboard implements OnModuleInit {
  private readonly logger = new Logger(QueueDashboard.name);

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly jobs: JobQueue,
    private readonly authentication: AuthenticationGuard,
  ) {}

  onModuleInit(): void {
    // An application context without a server (the REPL) has nothing to mount the board on.
    const adapter = this.adapterHost.httpAdapter;
    if (!adapter) return;
    const board = new FastifyAdapter();
    board.setBasePath(DASHBOARD_PATH);
    createBullBoard({ queues: this.jobs.all().map((queue) => new BullMQAdapter(queue)), serverAdapter: board });
    // bull-board's own handler answers a 500 that carries the raw message; rethrown, an error
    // reaches the scope's handler below.
    board.setErrorHandler((error) => {
      throw error;
    });

    const fastify = adapter.getInstance<FastifyInstance>();
    fastify.register(async (scope) => {
      scope.addHook('onRequest', (request, reply) => this.superuserOnly(request, reply));
      scope.addHook('preSerialization', contractErrorBody);
      scope.setErrorHandler((error: FastifyError, request, reply) => this.answerError(error, request, reply));
      await scope.register(board.registerPlugin(), { prefix: DASHBOARD_PATH });
    });
  }

  private async superuserOnly(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    // Only a request with no credentials of its own is authenticated by the cookie.
    const token =
      request.headers.authorization || request.headers[API_KEY_HEADER] ? undefined : request.cookies[DASHBOARD_COOKIE];
    const authorization = request.headers.authorization ?? (token ? `Bearer ${token}` : undefined);
    try {
      // SameSite=Strict is the browser's promise; the origin check is the server's own.
      if (token && !SAFE_METHODS.has(request.method) && !fromOwnOrigin(request))
        throw new DomainError('CROSS_SITE_REFUSED');
      const { user } = await this.authentication.authenticate({
        method: request.method,
        ip: request.ip,
        headers: { ...request.headers, authorization },
      });
      if (!(user as User).isSuperuser) throw new DomainError('NOT_ENOUGH_PRIVILEGES');
      reply.header('Cache-Control', 'private, no-store');
    } catch (error) {
      await this.send(reply, toErrorResponse(error));
    }
  }

  private async answerError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const response = isRefusedInput(error) ? REFUSED_INPUT : toErrorResponse(error);
    if (response.status >= 500) logServerError(this.logger, request, response.status, error);
    await this.send(reply, response);
  }

  private async send(reply: FastifyReply, response: ErrorResponse): Promise<void> {
    for (const [name, value] of Object.entries(response.headers ?? {})) reply.header(name, value);
    await reply.status(response.status).type(JSON_CONTENT_TYPE).send(response.body);
  }
}
