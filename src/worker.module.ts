import { Module } from '@nestjs/common';
import { ClsModule } from 'nestjs-cls';
import { ConfigModule } from './config/config.module.js';
import { DatabaseModule } from './database/database.module.js';
import { LoggingModule } from './logging/logging.module.js';
import { JobsWorkerModule } from './modules/jobs/jobs-worker.module.js';

/**
 * The worker process: configuration, the job processors (with their Redis), and PostgreSQL (a recovery job
 * looks its address up there); no HTTP.
 */
@Module({
  imports: [
    ConfigModule,
    LoggingModule,
    // The context each job runs in (the id of the request that queued it), for @InJobContext().
    ClsModule.forRoot({ global: true }),
    DatabaseModule,
    JobsWorkerModule,
  ],
})
export class WorkerModule {}
