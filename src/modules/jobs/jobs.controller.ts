import { Controller, Get, Param } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { SuperuserOnly } from '../../common/auth/superuser.guard.js';
import { UuidParamPipe } from '../../common/validation/uuid-param.pipe.js';
import { JobResponseDto } from './dto/job-response.dto.js';
import { JobQueue } from './job-queue.service.js';

@ApiTags('jobs')
@Controller('jobs')
@SuperuserOnly()
export class JobsController {
  constructor(private readonly jobs: JobQueue) {}

  @Get(':job_id')
  @ApiOperation({ summary: 'Status and result of a background job' })
  @ApiOkResponse({ type: JobResponseDto })
  @ApiNotFoundResponse({ description: 'Job not found' })
  findOne(@Param('job_id', UuidParamPipe) id: string): Promise<JobResponseDto> {
    return this.jobs.describe(id);
  }
}
