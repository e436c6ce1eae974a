import { Module } from '@nestjs/common';
import { ConfigModule } from './config/config.module.js';
import { LoggingModule } from './logging/logging.module.js';
import { JobsWorkerModule } from './modules/jobs/jobs-worker.module.js';
import { RedisModule } from './redis/redis.module.js';

/** The worker process: configuration, Redis and the job processors; no HTTP, no database. */
@Module({
  imports: [ConfigModule, LoggingModule, RedisModule, JobsWorkerModule],
})
export class WorkerModule {}
