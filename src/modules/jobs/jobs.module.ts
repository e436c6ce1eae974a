import { Module } from '@nestjs/common';
import { BullModule } from '@nestjs/bullmq';
import type { DefaultJobOptions } from 'bullmq';
import { AppConfig } from '../../config/app-config.js';
import { queueTelemetry } from '../../telemetry/tracing.js';
import { bullConnection } from './bull-connection.js';
import { JobQueue } from './job-queue.service.js';
import { JobsController } from './jobs.controller.js';
import { QueueErrorReporter } from './queue-error-reporter.js';
import { QUEUE_NAMES } from './queues.js';

/** Options every job gets unless its producer says otherwise. */
export function jobDefaults(config: Pick<AppConfig, 'jobAttempts' | 'jobBackoffMs'>): DefaultJobOptions {
  return {
    attempts: config.jobAttempts,
    backoff: { type: 'exponential', delay: config.jobBackoffMs },
    // Kept for status queries and the dashboard, within bounds.
    removeOnComplete: { age: 24 * 3600, count: 10_000 },
    removeOnFail: { age: 14 * 24 * 3600, count: 50_000 },
  };
}

export function bullRoot(role: 'producer' | 'worker') {
  return BullModule.forRootAsync({
    inject: [AppConfig],
    useFactory: (config: AppConfig) => ({
      connection: bullConnection(config.redisUrl, role),
      // Producers answer 503 at once instead of waiting for a Redis that is down.
      skipWaitingForReady: role === 'producer',
      prefix: `${config.redisKeyPrefix}:bull`,
      defaultJobOptions: jobDefaults(config),
      // When tracing: a job carries its producer's trace, which the worker's processing continues.
      telemetry: queueTelemetry(),
    }),
  });
}

export const queues = BullModule.registerQueue(...QUEUE_NAMES.map((name) => ({ name })));

/**
 * BullMQ queues for the API: producers (JobQueue, for the modules that queue work) and job
 * status. The processors live in JobsWorkerModule, which only the worker process imports.
 */
@Module({
  imports: [bullRoot('producer'), queues],
  controllers: [JobsController],
  providers: [JobQueue, QueueErrorReporter],
  exports: [JobQueue],
})
export class JobsModule {}
