import { Module } from '@nestjs/common';
import { CacheModule } from '../cache/cache.module.js';
import { JobsModule } from '../jobs/jobs.module.js';
import { MetricsController } from './metrics.controller.js';
import { Metrics } from './metrics.service.js';

@Module({
  imports: [CacheModule, JobsModule],
  controllers: [MetricsController],
  providers: [Metrics],
  exports: [Metrics],
})
export class MetricsModule {}
