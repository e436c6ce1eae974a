import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { Public } from '../../common/auth/public.decorator.js';
import { SuperuserOnly } from '../../common/auth/superuser.guard.js';
import { AppConfig } from '../../config/app-config.js';
import { EnqueuedEmailDto, EnqueuedJobDto } from '../jobs/dto/job-response.dto.js';
import { DETAIL } from '../../common/errors/domain-error.js';
import { JobQueue } from '../jobs/job-queue.service.js';
import { TestEmailQueryDto } from './dto/test-email-query.dto.js';
import { TestQueueDto } from './dto/test-queue.dto.js';

@ApiTags('utils')
@Controller('utils')
export class UtilsController {
  constructor(
    private readonly jobs: JobQueue,
    private readonly config: AppConfig,
  ) {}

  @Post('test-email')
  @SuperuserOnly()
  @HttpCode(202)
  @ApiOperation({ summary: 'Queue a test email to `email_to`' })
  @ApiAcceptedResponse({ type: EnqueuedEmailDto })
  @ApiServiceUnavailableResponse({ description: DETAIL.QUEUE_UNAVAILABLE })
  async testEmail(@Query() query: TestEmailQueryDto): Promise<EnqueuedEmailDto> {
    const jobId = await this.jobs.sendEmail({
      to: query.email_to,
      content: { template: 'test', projectName: this.config.projectName, to: query.email_to },
    });
    return { message: 'Test email sent', job_id: jobId };
  }

  @Post('test-queue')
  @SuperuserOnly()
  @HttpCode(202)
  @ApiOperation({ summary: 'Queue a job the worker answers with the same message' })
  @ApiAcceptedResponse({ type: EnqueuedJobDto })
  @ApiServiceUnavailableResponse({ description: DETAIL.QUEUE_UNAVAILABLE })
  async testQueue(@Body() input: TestQueueDto): Promise<EnqueuedJobDto> {
    return { job_id: await this.jobs.echo({ message: input.message }) };
  }

  @Get('health-check')
  @Public()
  @ApiOperation({ summary: 'Always true while the API answers' })
  @ApiOkResponse({ schema: { type: 'boolean', example: true } })
  healthCheck(): boolean {
    return true;
  }
}
