import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { CommonModule } from '../../common/common.module.js';
import { RedisModule } from '../../redis/redis.module.js';
import { JobsModule } from '../jobs/jobs.module.js';
import { DependencyHealth } from './dependency-health.js';
import { HealthController } from './health.controller.js';

@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'pretty' }), CommonModule, RedisModule, JobsModule],
  controllers: [HealthController],
  providers: [DependencyHealth],
})
export class HealthModule {}
