import { Module } from '@nestjs/common';
import { ConfigModule } from './config/config.module.js';
import { JobsModule } from './modules/jobs/jobs.module.js';
import { RedisModule } from './redis/redis.module.js';

/** The worker process: configuration, Redis and the job processors; no HTTP, no database. */
@Module({
  imports: [ConfigModule, RedisModule, JobsModule.forWorker()],
})
export class WorkerModule {}
