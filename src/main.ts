import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger as PinoLogger } from 'nestjs-pino';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ShutdownState } from './common/http/shutdown-state.js';
import { closeOnSignals } from './common/lifecycle/close-on-signals.js';
import { AppConfig, ConfigError, loadConfig, loadEnvFile } from './config/app-config.js';

async function bootstrap(): Promise<void> {
  loadEnvFile();
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }

  // Imported after the environment is final: the config module validates it at import time.
  const { AppModule } = await import('./app.module.js');
  const { configureApp, createFastifyAdapter } = await import('./app.setup.js');

  const app = await NestFactory.create<NestFastifyApplication>(AppModule, createFastifyAdapter(config), { bufferLogs: true });
  app.useLogger(app.get(PinoLogger));
  configureApp(app);
  // Drain first: readiness 503 and `Connection: close` while load balancers catch up, then close.
  closeOnSignals(app, config.shutdownTimeoutMs, async () => {
    app.get(ShutdownState).shuttingDown = true;
    await new Promise((resolve) => setTimeout(resolve, config.shutdownDrainMs));
  });

  await app.listen({ host: config.host, port: config.port });
  new Logger('Bootstrap').log(`API listening on ${await app.getUrl()} (docs at /docs)`);
}

bootstrap().catch((error: unknown) => {
  new Logger('Bootstrap').error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
