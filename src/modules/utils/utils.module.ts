import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module.js';
import { UtilsController } from './utils.controller.js';

@Module({
  imports: [JobsModule],
  controllers: [UtilsController],
})
export class UtilsModule {}
