import { Controller, Get, Header, Headers } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { timingSafeEqual } from 'node:crypto';
import { Public } from '../../common/auth/public.decorator.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { AppConfig } from '../../config/app-config.js';
import { Metrics } from './metrics.service.js';

/** GET /metrics for Prometheus, outside /api/v1; behind METRICS_TOKEN when one is set. */
@ApiTags('ops')
@Public()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: Metrics,
    private readonly config: AppConfig,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Prometheus metrics (needs `Authorization: Bearer <METRICS_TOKEN>` when that is set)' })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'The Prometheus text format', content: { 'text/plain': { schema: { type: 'string' } } } })
  @ApiUnauthorizedResponse({ description: 'Not authenticated (METRICS_TOKEN set, and not given)' })
  @Header('Cache-Control', 'no-store')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async scrape(@Headers('authorization') authorization: string | undefined): Promise<string> {
    const expected = this.config.metricsToken;
    if (expected) {
      const given = Buffer.from(authorization ?? '');
      const wanted = Buffer.from(`Bearer ${expected}`);
      if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) {
        throw new DomainError(401, 'Not authenticated');
      }
    }
    return this.metrics.registry.metrics();
  }
}
