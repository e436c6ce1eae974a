import { randomUUID } from 'node:crypto';
import { loadConfig } from '../src/config/app-config.js';
import { tracingConfigured } from '../src/telemetry/tracing.js';
import { ApiProcess } from './utils/api-process.js';
import { OtlpReceiver, type ReceivedSpan } from './utils/otlp-receiver.js';
import { SmtpCatcher } from './utils/smtp-catcher.js';
import { WorkerProcess } from './utils/worker-process.js';

const SERVER = 2;
const CLIENT = 3;
const PRODUCER = 4;
const CONSUMER = 5;

/** The spans from `span` up to its trace's root. */
function ancestry(span: ReceivedSpan, trace: ReceivedSpan[]): ReceivedSpan[] {
  const chain = [span];
  for (let parent = span.parentSpanId; parent;) {
    const next = trace.find((candidate) => candidate.spanId === parent);
    if (!next) break;
    chain.push(next);
    parent = next.parentSpanId;
  }
  return chain;
}

/**
 * Traces exported by the built API and worker over OTLP/HTTP to a receiver in the test: a password
 * recovery request is one trace from the HTTP request through Redis, the queue and the worker's
 * PostgreSQL lookup to its SMTP send.
 */
describe('OpenTelemetry traces', () => {
  const receiver = new OtlpReceiver();
  const smtp = new SmtpCatcher();
  let api: ApiProcess;
  let worker: WorkerProcess;
  const config = loadConfig(process.env);

  beforeAll(async () => {
    await Promise.all([receiver.start(), smtp.start()]);
    const env = { ...receiver.env(), ...smtp.env(), LOG_LEVEL: 'info' };
    [api, worker] = await Promise.all([
      new ApiProcess({ ...env, SHUTDOWN_DRAIN_MS: '0' }).start(),
      new WorkerProcess({ ...env, OTEL_SERVICE_NAME: 'mail-worker' }).start(),
    ]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([api?.stop(), worker?.stop()]);
    await Promise.all([receiver.stop(), smtp.stop()]);
  });

  it('follows a password recovery from the HTTP request through Redis and the queue to the worker’s SQL and SMTP send', async () => {
    const email = config.firstSuperuser;
    const requestId = `recovery-${randomUUID()}`;
    const response = await fetch(`${api.base}/api/v1/password-recovery/${encodeURIComponent(email)}`, {
      method: 'POST',
      headers: { 'X-Request-ID': requestId },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe(requestId);
    await smtp.waitFor(email, 'Password recovery', 10_000);

    const isRecoveryRequest = (span: ReceivedSpan) =>
      span.kind === SERVER && JSON.stringify(span.attributes).includes('/api/v1/password-recovery/');
    let trace: ReceivedSpan[] = [];
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const server = receiver.spans.find(isRecoveryRequest);
      trace = server ? receiver.trace(server.traceId) : [];
      if (trace.some((span) => span.name === 'smtp send')) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    const server = trace.find(isRecoveryRequest)!;
    expect(server).toMatchObject({ service: 'api', parentSpanId: undefined });
    const producer = trace.find((span) => span.kind === PRODUCER)!;
    const consumer = trace.find((span) => span.kind === CONSUMER)!;
    const sql = trace.filter((span) => span.scope === '@opentelemetry/instrumentation-pg');
    const redis = trace.filter((span) => span.scope === '@opentelemetry/instrumentation-ioredis');
    const send = trace.find((span) => span.name === 'smtp send')!;
    expect({ producer: producer?.service, consumer: consumer?.service, send: send?.kind }).toEqual({
      producer: 'api',
      consumer: 'mail-worker',
      send: CLIENT,
    });
    expect(producer.name).toMatch(/email/);
    // The worker's processing is a child of the enqueue: the same trace crosses the queue.
    expect(consumer.parentSpanId).toBe(producer.spanId);
    expect(ancestry(producer, trace)).toContain(server);
    expect(sql.length).toBeGreaterThan(0);
    expect(sql.some((span) => ancestry(span, trace).includes(consumer))).toBe(true);
    expect(redis.length).toBeGreaterThan(0);
    expect(ancestry(send, trace)).toContain(consumer);
    // Every span's parent is in the trace: no link is broken.
    for (const span of trace)
      if (span.parentSpanId) expect(trace.map((other) => other.spanId)).toContain(span.parentSpanId);
    // No recipient, job data or SQL value is written into a span. (The HTTP spans carry the URL,
    // as the access log does, and this route's URL holds the address.)
    const beyondHttp = JSON.stringify(
      trace.filter((span) => !['@opentelemetry/instrumentation-http', '@fastify/otel'].includes(span.scope)),
    );
    expect(beyondHttp).not.toContain(email);
    expect(beyondHttp).not.toContain(encodeURIComponent(email));

    // Log lines carry the trace: the API's request line and the worker's job line.
    const traced = (output: string) =>
      output
        .split('\n')
        .filter((line) => line.includes(`"trace_id":"${server.traceId}"`) && line.includes('"span_id":"'));
    expect(traced(api.output).some((line) => line.includes(requestId))).toBe(true);
    expect(traced(worker.output).length).toBeGreaterThan(0);
  });

  it('spans the authentication guard of a signed-in request, inside its route handler', async () => {
    const login = await fetch(`${api.base}/api/v1/login/access-token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: config.firstSuperuser, password: config.firstSuperuserPassword }),
    });
    const { access_token: token } = (await login.json()) as { access_token: string };
    const me = await fetch(`${api.base}/api/v1/users/me`, { headers: { Authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);

    let guard: ReceivedSpan | undefined;
    const deadline = Date.now() + 10_000;
    while (!guard && Date.now() < deadline) {
      guard = receiver.spans.find((span) => span.name === 'AuthenticationGuard');
      if (!guard) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const trace = receiver.trace(guard!.traceId);
    const chain = ancestry(guard!, trace).map((span) => span.name);
    expect(chain).toEqual([
      'AuthenticationGuard',
      'handler - UsersController.readMe',
      'request',
      'GET /api/v1/users/me',
    ]);
  });

  it('leaves the probes out of the traces', async () => {
    for (const path of ['/health/live', '/health/ready', '/health?full=1', '/metrics'])
      await fetch(`${api.base}${path}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const probes = receiver.spans.filter((span) => JSON.stringify(span.attributes).match(/"\/(health|metrics)/));
    expect(probes).toEqual([]);
  });

  it('is on only with an OTLP endpoint and without OTEL_SDK_DISABLED', () => {
    expect(tracingConfigured({})).toBe(false);
    expect(tracingConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: ' ' })).toBe(false);
    expect(tracingConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
    expect(tracingConfigured({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' })).toBe(true);
    expect(tracingConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'TRUE' })).toBe(
      false,
    );
  });
});
