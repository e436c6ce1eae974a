import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger as PinoLogger } from 'nestjs-pino';
import { closeOnSignals } from './common/lifecycle/close-on-signals.js';
import type { AppConfig } from './config/app-config.js';

/**
 * The queue worker: runs the job processors. SIGTERM stops taking jobs, lets the active ones
 * finish (BullMQ's worker.close()), then exits; a SIGKILLed worker's jobs are taken up again by
 * another worker once their lock expires (WORKER_LOCK_DURATION_MS).
 */
export async function runWorker({ shutdownTimeoutMs }: AppConfig): Promise<void> {
  const { WorkerModule } = await import('./worker.module.js');
  const app = await NestFactory.createApplicationContext(WorkerModule, { bufferLogs: true });
  app.useLogger(app.get(PinoLogger));
  closeOnSignals(app, shutdownTimeoutMs);
  new Logger('Worker').log('worker started');
}
