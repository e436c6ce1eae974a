import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { type IncomingMessage, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { RequestMethod } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { ConnectionError, FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { HelmetOptions } from 'helmet';
import fastifyCookie from '@fastify/cookie';
import fastifyCors, { type FastifyCorsOptions, type FastifyCorsOptionsDelegateCallback } from '@fastify/cors';
import { AppConfig } from './config/app-config.js';
import { toErrorResponse } from './common/errors/http-error.filter.js';
import { RouteTable } from './common/http/route-table.js';
import { securityHeaders } from './common/http/security-headers.js';
import { ShutdownState } from './common/http/shutdown-state.js';
import { createRootLogger, RequestLogController, sharedRequestLogger } from './logging/logging.module.js';
import { Metrics } from './modules/metrics/metrics.service.js';
import { JSON_CONTENT_TYPE } from './common/http/json-content-type.js';

export const API_PREFIX = 'api/v1';
export const OPENAPI_JSON_PATH = `/${API_PREFIX}/openapi.json`;
const OAUTH2_SCHEME = 'OAuth2PasswordBearer';
const API_KEY_SCHEME = 'APIKeyHeader';

/** Routes that stay at the root, outside the API prefix. */
const ROOT_ROUTES = ['health', 'health/live', 'health/ready', 'metrics'];

/** helmet's full set, for the HTML pages (Swagger UI, ReDoc) and their assets. */
const PAGE_SECURITY: HelmetOptions = {
  contentSecurityPolicy: {
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      // Swagger UI and ReDoc style their elements inline; ReDoc runs its search in a blob worker.
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      workerSrc: ["'self'", 'blob:'],
      fontSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      objectSrc: ["'none'"],
      frameAncestors: ["'none'"],
      // Local development serves plain HTTP; TLS is the proxy's job in production.
      upgradeInsecureRequests: null,
    },
  },
  crossOriginEmbedderPolicy: false,
};

/**
 * JSON responses get the set OWASP's REST Security Cheat Sheet gives for APIs; the headers that
 * only mean something to a browser rendering a page stay on the pages. helmet's full set is
 * about 800 bytes, which cost a third of the throughput of a small JSON response.
 */
const API_SECURITY = {
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  'Strict-Transport-Security': 'max-age=31536000; includeSubDomains',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
} as const;

/** Where the pages that PAGE_SECURITY covers are served. */
const PAGE_PREFIXES = ['/docs', '/redoc'];

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/**
 * Honour a well-formed incoming `X-Request-ID` (a proxy's), otherwise make one up. It is also
 * set on the raw request, where the request line's serializer reads it.
 */
function requestId(request: IncomingMessage): string {
  const incoming = request.headers['x-request-id'];
  const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
  Object.assign(request, { id });
  return id;
}

/**
 * What the router refuses before any hook runs (a malformed URL, an over-long path parameter):
 * the contract's `{detail}` and headers instead of Fastify's body, which echoes the path.
 */
function answerFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const { status, body } = toErrorResponse(error);
  void reply.headers(API_SECURITY).header('X-Request-ID', request.id).status(status).type(JSON_CONTENT_TYPE).send(body);
}

/** Node's HTTP parser names its refusals by code; any other one is a malformed request. */
const CLIENT_ERROR_STATUS: Record<string, number> = { HPE_HEADER_OVERFLOW: 431, ERR_HTTP_REQUEST_TIMEOUT: 408 };

/**
 * What Node's HTTP parser refuses (a malformed request line, headers over 16 KiB) never becomes
 * a request: it is answered on the socket, as Fastify's default handler does, in the contract's shape.
 */
function answerClientError(error: ConnectionError, socket: Socket): void {
  // A reset connection has nobody left to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  if (socket.writable) {
    const { status, body } = toErrorResponse({ statusCode: CLIENT_ERROR_STATUS[error.code] ?? 400 });
    const json = JSON.stringify(body);
    const headers = {
      ...API_SECURITY,
      'Content-Type': JSON_CONTENT_TYPE,
      'Content-Length': Buffer.byteLength(json),
      Connection: 'close',
    };
    const head = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${head.join('')}\r\n${json}`);
  }
  socket.destroy(error);
}

/** The HTTP server options that must be fixed before the app exists (limits, routing, ids). */
export function createFastifyAdapter(config: AppConfig): FastifyAdapter {
  return new FastifyAdapter({
    bodyLimit: config.bodyLimitBytes,
    keepAliveTimeout: config.keepAliveTimeoutMs,
    // A request that reached the server during shutdown is served (main.ts closes connections
    // only once they are idle), not answered with Fastify's own 503.
    return503OnClosing: false,
    genReqId: requestId,
    loggerInstance: createRootLogger(config),
    logController: new RequestLogController(),
    childLoggerFactory: sharedRequestLogger,
    routerOptions: { ignoreTrailingSlash: true },
    trustProxy: config.trustProxy,
    frameworkErrors: answerFrameworkError,
    clientErrorHandler: answerClientError,
  });
}

/**
 * Everything about the HTTP surface that is not a module: prefix, docs, CORS, security headers,
 * request ids. `main.ts` and every e2e test call this, so tests exercise the real app.
 * Call it before `app.init()` / `app.listen()`.
 */
export function configureApp(app: NestFastifyApplication): NestFastifyApplication {
  const config = app.get(AppConfig);
  const fastify = app.getHttpAdapter().getInstance();

  const routes = app.get(RouteTable);
  fastify.addHook('onRoute', (route) => routes.add(route.method, route.url));
  const shutdown = app.get(ShutdownState);
  const pageSecurity = securityHeaders(PAGE_SECURITY);
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.headers(PAGE_PREFIXES.some((prefix) => request.url.startsWith(prefix)) ? pageSecurity : API_SECURITY);
    reply.header('X-Request-ID', request.id);
    if (shutdown.shuttingDown) reply.header('Connection', 'close');
    done();
  });
  app.get(Metrics).instrument(fastify);
  // Only JSON (and, where a route allows it, the login form) is read; other bodies are 415.
  fastify.removeContentTypeParser(['text/plain']);

  applyGlobalPrefix(app);

  const cors: FastifyCorsOptions = {
    origin: config.corsOrigins,
    credentials: true,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    // Listed, not reflected from the preflight: a browser may send these and nothing else.
    allowedHeaders: ['Authorization', 'Content-Type', 'X-API-Key', 'X-Request-ID'],
    exposedHeaders: ['X-Request-ID', 'Retry-After'],
    maxAge: 600,
  };
  // A request without Origin is not a CORS request: it gets no CORS headers (only Vary).
  const corsFor: FastifyCorsOptionsDelegateCallback = (request, callback) =>
    callback(null, request.headers.origin ? cors : { origin: false });
  // A function for options is called with the instance by the plugin loader, hence the wrapper.
  void app.register(fastifyCors, () => corsFor);
  // On the root instance, not only in the dashboard's scope: reply.setCookie is needed by a Nest
  // controller (QueueDashboardController), and Nest's routes live on the root instance.
  void app.register(fastifyCookie);

  if (config.docsEnabled) setUpDocs(app, config);
  // Signals are wired by the entry points (closeOnSignals), so that tests keep control.
  return app;
}

/** Every route under /api/v1 but the ops routes; the OpenAPI generator needs this alone. */
export function applyGlobalPrefix(app: NestFastifyApplication): void {
  app.setGlobalPrefix(API_PREFIX, {
    exclude: ROOT_ROUTES.map((path) => ({ path, method: RequestMethod.ALL })),
  });
}

export function buildOpenApiDocument(app: NestFastifyApplication, config: AppConfig) {
  const options = new DocumentBuilder()
    .setTitle(config.projectName)
    .setDescription('REST API: users, items, auth, background jobs. Errors are `{"detail": ...}`.')
    .setVersion('1.0.0')
    // The "Authorize" button logs in with a username (email) and password through the
    // OAuth2 password flow, or takes an API key; every route not marked @Public() requires one
    // of the two (two requirement objects: either satisfies it).
    .addOAuth2(
      { type: 'oauth2', flows: { password: { tokenUrl: `/${API_PREFIX}/login/access-token`, scopes: {} } } },
      OAUTH2_SCHEME,
    )
    .addApiKey(
      {
        type: 'apiKey',
        in: 'header',
        name: 'X-API-Key',
        description: 'An API key from POST /api/v1/users/me/api-keys',
      },
      API_KEY_SCHEME,
    )
    .addSecurityRequirements(OAUTH2_SCHEME)
    .addSecurityRequirements(API_KEY_SCHEME)
    .build();
  return SwaggerModule.createDocument(app, options, {
    // Stable, readable ids (`items-findAll`) for generated clients.
    operationIdFactory: (controller, method) => `${controller.replace(/Controller$/, '').toLowerCase()}-${method}`,
  });
}

function setUpDocs(app: NestFastifyApplication, config: AppConfig): void {
  let document: ReturnType<typeof buildOpenApiDocument> | undefined;
  const getDocument = () => (document ??= buildOpenApiDocument(app, config));

  SwaggerModule.setup('docs', app, getDocument, {
    jsonDocumentUrl: OPENAPI_JSON_PATH,
    customSiteTitle: `${config.projectName} - Swagger UI`,
    swaggerOptions: { persistAuthorization: true },
  });

  const fastify = app.getHttpAdapter().getInstance();
  fastify.get('/docs-json', (_request, reply) => reply.type(JSON_CONTENT_TYPE).send(getDocument()));

  const redocBundle = redocBundlePath();
  fastify.get('/redoc', (_request, reply) =>
    reply.type('text/html; charset=utf-8').send(redocPage(config.projectName)),
  );
  fastify.get('/redoc/redoc.standalone.js', async (_request, reply) => {
    const { createReadStream } = await import('node:fs');
    return reply
      .type('application/javascript; charset=utf-8')
      .header('Cache-Control', 'public, max-age=86400')
      .send(createReadStream(redocBundle));
  });
}

const REDOC_BUNDLE = join('redoc', 'bundles', 'redoc.standalone.js');

/**
 * `nest build` copies the ReDoc bundle into `dist/public` (nest-cli.json assets), so production
 * images need neither the redoc package nor its React dependencies; from sources (tests) it is
 * read from node_modules.
 */
function redocBundlePath(): string {
  const built = join(import.meta.dirname, '..', 'public', 'node_modules', REDOC_BUNDLE);
  if (existsSync(built)) return built;
  return createRequire(import.meta.url).resolve(REDOC_BUNDLE);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function redocPage(title: string): string {
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${escapeHtml(title)} - ReDoc</title>
    <style>body { margin: 0; padding: 0; }</style>
  </head>
  <body>
    <redoc spec-url="${OPENAPI_JSON_PATH}"></redoc>
    <script src="/redoc/redoc.standalone.js"></script>
  </body>
</html>
`;
}
