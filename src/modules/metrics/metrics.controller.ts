import { Controller, Get, Header, ServiceUnavailableException, UseGuards } from '@nestjs/common';
import {
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { Public } from '../../common/auth/public.decorator.js';
import { ClusterMetricsUnavailable } from './cluster-metrics.js';
import { MetricsAccessGuard } from './metrics-access.guard.js';
import { Metrics } from './metrics.service.js';

/**
 * GET /metrics for Prometheus, outside /api/v1; behind METRICS_TOKEN when one is set. In
 * production without METRICS_TOKEN it answers as an unknown path would.
 */
@ApiTags('ops')
@Public()
@UseGuards(MetricsAccessGuard)
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: Metrics) {}

  @Get()
  @ApiOperation({
    summary:
      'Prometheus metrics (needs `Authorization: Bearer <METRICS_TOKEN>` when that is set; in production only served when it is set)',
  })
  @ApiProduces('text/plain')
  @ApiOkResponse({
    description: 'The Prometheus text format',
    content: { 'text/plain': { schema: { type: 'string' } } },
  })
  @ApiUnauthorizedResponse({ description: 'Not authenticated (METRICS_TOKEN set, and not given)' })
  @ApiNotFoundResponse({ description: 'Production without METRICS_TOKEN: metrics are off' })
  @ApiServiceUnavailableResponse({
    description: 'WEB_CONCURRENCY > 1 and an API process did not answer in time (for instance still starting)',
  })
  @Header('Cache-Control', 'no-store')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async scrape(): Promise<string> {
    try {
      return await this.metrics.text();
    } catch (error) {
      if (!(error instanceof ClusterMetricsUnavailable)) throw error;
      throw new ServiceUnavailableException('Metrics of every API process are not available yet');
    }
  }
}
