import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  Logger,
  NotFoundException,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RouteTable } from '../http/route-table.js';
import { isDatabaseUnavailable } from './database-errors.js';
import { DomainError, type DomainErrorCode } from './domain-error.js';
import { JSON_CONTENT_TYPE } from '../http/json-content-type.js';

export interface ErrorResponse {
  status: number;
  body: { detail: unknown };
  headers?: Record<string, string>;
}

/** The HTTP status of each domain error. */
export const DOMAIN_ERROR_STATUS: Record<DomainErrorCode, number> = {
  NOT_AUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  INACTIVE_USER: 403,
  INACTIVE_ACCOUNT: 400,
  INCORRECT_LOGIN: 400,
  INCORRECT_PASSWORD: 400,
  SAME_PASSWORD: 400,
  INVALID_TOKEN: 400,
  INVALID_CODE: 400,
  EMAIL_NOT_VERIFIED: 403,
  EMAIL_ALREADY_VERIFIED: 400,
  NO_ACCOUNT_FOR_IDENTITY: 403,
  LAST_SIGN_IN_METHOD: 400,
  SESSION_REQUIRED: 403,
  READ_ONLY_API_KEY: 403,
  CROSS_SITE_REFUSED: 403,
  NOT_ENOUGH_PRIVILEGES: 403,
  NOT_ENOUGH_PERMISSIONS: 403,
  SUPERUSER_SELF_DELETE: 403,
  REGISTRATION_CLOSED: 403,
  ORGANIZATION_ROLE_TOO_LOW: 403,
  INVITATION_FOR_ANOTHER_EMAIL: 403,
  TOO_MANY_LOGIN_FAILURES: 429,
  TOO_MANY_PASSWORD_FAILURES: 429,
  TOO_MANY_RECOVERY_REQUESTS: 429,
  TOO_MANY_API_KEY_FAILURES: 429,
  TOO_MANY_VERIFICATION_REQUESTS: 429,
  TOO_MANY_SIGN_IN_STARTS: 429,
  NOT_FOUND: 404,
  RESOURCE_NOT_FOUND: 404,
  USER_NOT_FOUND: 404,
  NO_SUCH_USER_ID: 404,
  NO_SUCH_USERNAME: 404,
  ITEM_NOT_FOUND: 404,
  API_KEY_NOT_FOUND: 404,
  JOB_NOT_FOUND: 404,
  ORGANIZATION_NOT_FOUND: 404,
  MEMBER_NOT_FOUND: 404,
  INVITATION_NOT_FOUND: 404,
  PROVIDER_NOT_FOUND: 404,
  IDENTITY_NOT_FOUND: 404,
  EMAIL_TAKEN_ON_CREATE: 400,
  EMAIL_TAKEN_ON_SIGNUP: 400,
  EMAIL_TAKEN_ON_UPDATE: 409,
  TOO_MANY_API_KEYS: 400,
  LAST_OWNER: 400,
  ALREADY_A_MEMBER: 400,
  INVALID_INVITATION: 400,
  QUEUE_UNAVAILABLE: 503,
  REDIS_UNAVAILABLE: 503,
};

/** Fastify's own request errors (raised before a route runs), by their code. */
const FASTIFY_ERRORS: Record<string, (error: FastifyLikeError) => ErrorResponse> = {
  FST_ERR_CTP_BODY_TOO_LARGE: () => ({ status: 413, body: { detail: 'Request body too large' } }),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () => ({ status: 415, body: { detail: 'Unsupported Media Type' } }),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () => ({ status: 400, body: { detail: 'Invalid Content-Length' } }),
  FST_ERR_CTP_EMPTY_JSON_BODY: () => ({
    status: 422,
    body: { detail: [{ type: 'missing', loc: ['body'], msg: 'Field required', input: null }] },
  }),
  FST_ERR_CTP_INVALID_JSON_BODY: jsonInvalid,
};

interface FastifyLikeError {
  code?: string;
  statusCode?: number;
  message?: string;
}

function jsonInvalid(error: FastifyLikeError): ErrorResponse {
  const reason = (error.message ?? 'Invalid JSON').replace(
    /^Body is not valid JSON but content-type is set to 'application\/json'.*$/s,
    'Invalid JSON',
  );
  return {
    status: 422,
    body: {
      detail: [
        {
          type: 'json_invalid',
          loc: ['body', 0],
          msg: 'JSON decode error',
          input: {},
          ctx: { error: reason.slice(0, 100) },
        },
      ],
    },
  };
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Not authenticated',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Request body too large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  503: 'Service Unavailable',
};

const INTERNAL: ErrorResponse = { status: 500, body: { detail: 'Internal Server Error' } };

function fromHttpException(exception: HttpException): ErrorResponse {
  const status = exception.getStatus();
  const response = exception.getResponse();
  if (typeof response === 'string') return { status, body: { detail: response } };
  if (response && typeof response === 'object') {
    const record = response as Record<string, unknown>;
    if ('detail' in record) return { status, body: { detail: record.detail } };
    // Nest's built-in exceptions carry `error` only when given a message of their own; their
    // default message is replaced by the contract's wording for that status.
    if (typeof record.message === 'string' && typeof record.error === 'string') {
      return { status, body: { detail: record.message } };
    }
  }
  return { status, body: { detail: STATUS_TEXT[status] ?? exception.message } };
}

/**
 * Maps any thrown value to the contract's `{detail}` response; unknown errors become a bare 500.
 * Every 401 carries `WWW-Authenticate: Bearer`.
 */
export function toErrorResponse(exception: unknown): ErrorResponse {
  const response = mapException(exception);
  return response.status === 401
    ? { ...response, headers: { ...response.headers, 'WWW-Authenticate': 'Bearer' } }
    : response;
}

function mapException(exception: unknown): ErrorResponse {
  if (exception instanceof DomainError) {
    const { retryAfterSeconds } = exception.context;
    const retryAfter = retryAfterSeconds === undefined ? undefined : { 'Retry-After': String(retryAfterSeconds) };
    return { status: DOMAIN_ERROR_STATUS[exception.code], body: { detail: exception.detail }, headers: retryAfter };
  }
  if (exception instanceof HttpException) {
    // The Fastify adapter wraps Fastify's own request errors (body limit, JSON syntax) in an
    // HttpException; the original keeps the code that says what went wrong.
    const cause = exception.cause as FastifyLikeError | undefined;
    const mapped = cause?.code ? FASTIFY_ERRORS[cause.code] : undefined;
    return mapped ? mapped(cause!) : fromHttpException(exception);
  }
  if (isDatabaseUnavailable(exception)) return { status: 503, body: { detail: 'Service Unavailable' } };
  const error = exception as FastifyLikeError | null;
  if (error && typeof error === 'object') {
    const mapped = error.code ? FASTIFY_ERRORS[error.code] : undefined;
    if (mapped) return mapped(error);
    const status = error.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return { status, body: { detail: STATUS_TEXT[status] ?? 'Bad Request' } };
    }
  }
  return INTERNAL;
}

/** Logs a 5xx with its request id; an expected outage (a DomainError such as "Queue unavailable") needs no stack trace. */
export function logServerError(logger: Logger, request: FastifyRequest, status: number, exception: unknown): void {
  const where = `${request.method} ${request.url} -> ${status} [request ${request.id}]`;
  if (exception instanceof DomainError) logger.warn(`${where} ${exception.detail}`);
  else
    logger.error(`${where} ${exception instanceof Error ? (exception.stack ?? exception.message) : String(exception)}`);
}

@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  constructor(private readonly routes: RouteTable) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    const unmatched = exception instanceof NotFoundException && !request.routeOptions?.url;
    const response = unmatched ? this.unmatchedRoute(request) : toErrorResponse(exception);

    if (response.status >= 500) logServerError(this.logger, request, response.status, exception);
    for (const [name, value] of Object.entries(response.headers ?? {})) reply.header(name, value);
    reply.status(response.status).header('Content-Type', JSON_CONTENT_TYPE).send(response.body);
  }

  /** No route matched: a path served under other methods is a 405 with `Allow`, else a 404. */
  private unmatchedRoute(request: FastifyRequest): ErrorResponse {
    const allowed = this.routes.allowedMethods(request.url);
    if (allowed.length === 0) return { status: 404, body: { detail: 'Not Found' } };
    return { status: 405, body: { detail: 'Method Not Allowed' }, headers: { Allow: allowed.join(', ') } };
  }
}
