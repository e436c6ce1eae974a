import { register } from 'node:module';
import type { Span, Tracer } from '@opentelemetry/api';
import type { Telemetry } from 'bullmq';

/** The probes and the scrape: polled all day, no trace would tell anything. */
const UNTRACED_PATHS = ['/health', '/metrics'];
const untraced = (url = '') => {
  const path = url.split('?')[0];
  return UNTRACED_PATHS.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
};

interface Tracing {
  api: typeof import('@opentelemetry/api');
  tracer: Tracer;
  queueTelemetry: Telemetry;
  shutdown: () => Promise<void>;
}

let tracing: Tracing | undefined;

/**
 * Whether traces are exported: an OTLP endpoint is set (the standard variables) and the SDK is not
 * disabled. Nothing of OpenTelemetry is loaded otherwise.
 */
export function tracingConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  return (
    Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim()) &&
    env.OTEL_SDK_DISABLED?.trim().toLowerCase() !== 'true'
  );
}

/**
 * Starts the OpenTelemetry Node SDK when traces are configured, configured by the standard
 * OTEL_* variables alone (endpoint, protocol, headers, service name, sampler, batching). It must
 * run before Fastify, pg, ioredis, pino and BullMQ are imported: the instrumentations patch them
 * as they load (ESM modules through the import-in-the-middle hook registered here).
 */
export async function startTracing(role: 'api' | 'worker'): Promise<void> {
  if (tracing || !tracingConfigured()) return;
  process.env.OTEL_SERVICE_NAME ??= role;
  // Traces only: metrics stay Prometheus's (/metrics), logs stay on stdout. Either can be turned on.
  process.env.OTEL_METRICS_EXPORTER ??= 'none';
  process.env.OTEL_LOGS_EXPORTER ??= 'none';
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);

  const [api, { NodeSDK }, http, fastify, pg, ioredis, pino, { BullMQOtel }] = await Promise.all([
    import('@opentelemetry/api'),
    import('@opentelemetry/sdk-node'),
    import('@opentelemetry/instrumentation-http'),
    import('@fastify/otel'),
    import('@opentelemetry/instrumentation-pg'),
    import('@opentelemetry/instrumentation-ioredis'),
    import('@opentelemetry/instrumentation-pino'),
    import('bullmq-otel'),
  ]);
  const sdk = new NodeSDK({
    instrumentations: [
      new http.HttpInstrumentation({ ignoreIncomingRequestHook: (request) => untraced(request.url) }),
      // Fastify's request and the route handler, named after the controller's method; Nest's own
      // instrumentation does not cover Nest 12. Hook spans (Nest's middleware adds six) left out.
      new fastify.FastifyOtelInstrumentation({
        registerOnInitialization: true,
        instrumentHooks: false,
        ignorePaths: ({ url }) => untraced(url),
      }),
      // SQL text with placeholders, never the values.
      new pg.PgInstrumentation({ requireParentSpan: true }),
      // The command and its argument count: arguments hold job data, emails and cache bodies.
      new ioredis.IORedisInstrumentation({
        requireParentSpan: true,
        dbStatementSerializer: (command, args) => `${command} [${args.length} args]`,
      }),
      // trace_id and span_id on every log line written inside a span.
      new pino.PinoInstrumentation({ disableLogSending: true }),
    ],
  });
  sdk.start();
  tracing = {
    api,
    tracer: api.trace.getTracer('nest-fullstack-api'),
    queueTelemetry: new BullMQOtel({ tracerName: 'bullmq' }),
    shutdown: () => sdk.shutdown(),
  };
}

/** Sends the spans not yet exported; the entry points call it as the process closes. */
export async function stopTracing(): Promise<void> {
  await tracing?.shutdown().catch(() => undefined);
}

/** BullMQ's telemetry for queues and workers when tracing: jobs carry the trace to the worker. */
export function queueTelemetry(): Telemetry | undefined {
  return tracing?.queueTelemetry;
}

/**
 * Runs `work` in a span of its own when tracing, and as it is otherwise: for the steps no
 * instrumentation sees (the authentication guard, an SMTP send).
 */
export function inSpan<T>(name: string, kind: 'internal' | 'client', work: () => Promise<T>): Promise<T> {
  if (!tracing) return work();
  const { SpanKind, SpanStatusCode } = tracing.api;
  const spanKind = kind === 'client' ? SpanKind.CLIENT : SpanKind.INTERNAL;
  return tracing.tracer.startActiveSpan(name, { kind: spanKind }, async (span: Span) => {
    try {
      return await work();
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      span.end();
    }
  });
}
