import 'reflect-metadata';
import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger as PinoLogger } from 'nestjs-pino';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ShutdownState } from './common/http/shutdown-state.js';
import { closeOnSignals } from './common/lifecycle/close-on-signals.js';
import { HttpConnections } from './common/lifecycle/http-connections.js';
import { type AppConfig, metricsEnabled } from './config/app-config.js';

/** How long a connection may sit idle at shutdown: a request its client sent may still be on the wire. */
const IDLE_CONNECTION_GRACE_MS = 500;

/** One API process: the Nest app on Fastify, listening until a signal closes it. */
export async function runApi(config: AppConfig): Promise<void> {
  // Imported after the environment is final: the config module validates it at import time.
  const { AppModule } = await import('./app.module.js');
  const { configureApp, createFastifyAdapter } = await import('./app.setup.js');

  const app = await NestFactory.create<NestFastifyApplication>(AppModule, createFastifyAdapter(config), {
    bufferLogs: true,
  });
  app.useLogger(app.get(PinoLogger));
  configureApp(app);
  const connections = new HttpConnections(app.getHttpServer());
  // Drain first: readiness 503 and `Connection: close` while load balancers catch up. Then stop
  // listening and let every request that reached the server finish, before the app's modules
  // (database, Redis, queues) close.
  closeOnSignals(app, config.shutdownTimeoutMs, async () => {
    app.get(ShutdownState).shuttingDown = true;
    await sleep(config.shutdownDrainMs);
    await connections.stopAndSettle(IDLE_CONNECTION_GRACE_MS);
  });

  await app.listen({ host: config.host, port: config.port });
  const logger = new Logger('Bootstrap');
  logger.log(`API listening on ${await app.getUrl()} (docs at /docs)`);
  if (!metricsEnabled(config)) {
    logger.log(
      'Metrics are off: in production GET /metrics answers 404 until METRICS_TOKEN is set (then scrape it with Authorization: Bearer <METRICS_TOKEN>)',
    );
  }
}
