import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { JobsModule } from '../jobs/jobs.module.js';
import { QueueDashboard } from './queue-dashboard.js';
import { QueueDashboardController } from './queue-dashboard.controller.js';

@Module({
  imports: [AuthModule, JobsModule],
  controllers: [QueueDashboardController],
  providers: [QueueDashboard],
})
export class QueueDashboardModule {}
