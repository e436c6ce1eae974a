import { Module } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { type FastifyBaseLogger, type FastifyReply, type FastifyRequest, LogController } from 'fastify';
import { LoggerModule } from 'nestjs-pino';
import { type Logger, pino, stdSerializers } from 'pino';
import { AppConfig } from '../config/app-config.js';
import { currentRequestId } from './request-context.guard.js';

/** Never written to logs: credentials in headers, and secrets in bodies or job data. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.new_password',
  '*.current_password',
  '*.token',
  '*.access_token',
  '*.refresh_token',
];

/** The request id's key on every request line. */
export const REQUEST_ID_KEY = 'request_id';

/**
 * The id of the request being served (in the worker: of the request that queued the job), on
 * every line written while it is served, whichever logger writes it. A line that names its
 * request itself (Fastify's request lines) keeps its own field.
 */
function requestContext(): Record<string, string> {
  const id = currentRequestId();
  return id ? { [REQUEST_ID_KEY]: id } : {};
}

/**
 * The process's one pino logger: structured JSON lines, secrets redacted; human-readable lines
 * in development. The HTTP server (Fastify) and Nest's logger (nestjs-pino) both write to it.
 */
export function createRootLogger(config: Pick<AppConfig, 'logLevel' | 'nodeEnv'>): Logger {
  return pino({
    level: config.logLevel,
    mixin: requestContext,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers: {
      req: stdSerializers.req,
      // The status is what matters of a response; its headers are the same on every line.
      res: (response: { statusCode: number }) => ({ statusCode: response.statusCode }),
      err: (error: Error) => ({ type: error.name, message: error.message }),
    },
    transport:
      config.nodeEnv === 'development'
        ? { target: 'pino-pretty', options: { singleLine: true, colorize: true } }
        : undefined,
  });
}

/**
 * Fastify's request lines, as one line per request when it completes, with its request id,
 * method, URL, headers (redacted), status and duration, at the level requestLogLevel gives. The request
 * is serialized only when the line is written, so a level that drops the line costs nothing
 * (a per-request child logger binding the request, as pino-http makes, cost a fifth of a simple
 * request's time). Probes (/health) are not logged.
 *
 * `request.log` is the root logger itself (`sharedRequestLogger`): the line names the request id,
 * so no child logger is made for every request.
 */
export class RequestLogController extends LogController {
  constructor() {
    super({ disableRequestLogging: (request: { url?: string }) => (request.url ?? '').startsWith('/health') });
  }

  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    const status = reply.statusCode;
    const level = error ? 'error' : requestLogLevel(status);
    const log = request.log as Logger;
    if (!log.isLevelEnabled(level)) return;
    log[level](
      {
        [REQUEST_ID_KEY]: request.id,
        req: request.raw,
        res: reply.raw,
        err: error ?? undefined,
        responseTime: reply.elapsedTime,
      },
      level === 'error' ? 'request errored' : 'request completed',
    );
  }
}

/** 401, 403 and 429: failed credentials and refused limits, what an operator watches for attacks. */
const WATCHED_CLIENT_ERRORS = new Set([401, 403, 429]);

/**
 * The level of a request's line by its status: a server error is ours (error); most client errors
 * are the client's business (info), but failed authentication and rate limiting stay at warn, so
 * credential stuffing or a scanner stands out in a warn-level log.
 */
export function requestLogLevel(status: number): 'error' | 'warn' | 'info' {
  if (status >= 500) return 'error';
  return WATCHED_CLIENT_ERRORS.has(status) ? 'warn' : 'info';
}

/** Fastify's childLoggerFactory: every request logs through the root logger. */
export function sharedRequestLogger(logger: FastifyBaseLogger): FastifyBaseLogger {
  return logger;
}

function httpServerLogger(adapterHost: HttpAdapterHost): Logger | undefined {
  const instance = adapterHost.httpAdapter?.getInstance?.<{ log?: FastifyBaseLogger } | undefined>();
  return instance?.log as Logger | undefined;
}

/**
 * Nest's logger on the root logger: the HTTP server's own when there is one (createFastifyAdapter
 * made it), a new one in the worker and the REPL. Request lines come from RequestLogController,
 * not from a per-request middleware.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [AppConfig, HttpAdapterHost],
      useFactory: (config: AppConfig, adapterHost: HttpAdapterHost) => ({
        pinoHttp: { logger: httpServerLogger(adapterHost) ?? createRootLogger(config) },
        forRoutes: [],
      }),
    }),
  ],
})
export class LoggingModule {}
