import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { timingSafeEqual } from 'node:crypto';
import { DomainError } from '../../common/errors/domain-error.js';
import { AppConfig, metricsEnabled } from '../../config/app-config.js';

/**
 * Who may scrape /metrics. A guard rather than a check in the handler: it runs before the
 * route's own headers are set, so with metrics off the 404 is the same as for an unknown path.
 */
@Injectable()
export class MetricsAccessGuard implements CanActivate {
  constructor(private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    if (!metricsEnabled(this.config)) throw new DomainError('NOT_FOUND');
    const expected = this.config.metricsToken;
    if (expected) {
      const given = Buffer.from(context.switchToHttp().getRequest<FastifyRequest>().headers.authorization ?? '');
      const wanted = Buffer.from(`Bearer ${expected}`);
      if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) throw new DomainError('NOT_AUTHENTICATED');
    }
    return true;
  }
}
