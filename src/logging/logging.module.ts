import type { IncomingMessage, ServerResponse } from 'node:http';
import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { AppConfig } from '../config/app-config.js';

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

/**
 * Structured JSON logs (pino), one line per request with its request id (the X-Request-ID the
 * API honours and echoes), secrets redacted; human-readable lines in development.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        pinoHttp: {
          level: config.logLevel,
          // The id Fastify gave the request (see createFastifyAdapter), so every line agrees.
          genReqId: (request: IncomingMessage) => String((request as { id?: unknown }).id ?? 'unknown'),
          customAttributeKeys: { reqId: 'request_id' },
          redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
          // The status is what matters of a response; its headers are the same on every line.
          // pino-http makes up an Error for every 5xx; its stack says nothing about the request.
          serializers: {
            res: (response: { statusCode: number }) => ({ statusCode: response.statusCode }),
            err: (error: Error) => ({ type: error.name, message: error.message }),
          },
          // Probes would drown everything else.
          autoLogging: { ignore: (request: IncomingMessage) => (request.url ?? '').startsWith('/health') },
          customLogLevel: (_request: IncomingMessage, response: ServerResponse, error?: Error) =>
            error || response.statusCode >= 500 ? 'error' : response.statusCode >= 400 ? 'warn' : 'info',
          transport: config.nodeEnv === 'development' ? { target: 'pino-pretty', options: { singleLine: true, colorize: true } } : undefined,
        },
      }),
    }),
  ],
})
export class LoggingModule {}
