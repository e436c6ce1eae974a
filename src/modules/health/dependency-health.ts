import { Injectable } from '@nestjs/common';
import { type HealthIndicatorFunction, HealthIndicatorService } from '@nestjs/terminus';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { AppConfig } from '../../config/app-config.js';
import { InjectRedis } from '../../redis/redis.module.js';
import { ShutdownState } from '../../common/http/shutdown-state.js';
import { JobQueue } from '../jobs/job-queue.service.js';

/** Failures are reported without driver messages, which could name hosts or versions. */
class DependencyDown extends Error {}

@Injectable()
export class DependencyHealth {
  constructor(
    private readonly indicators: HealthIndicatorService,
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectRedis() private readonly redis: Redis,
    private readonly config: AppConfig,
    private readonly shutdown: ShutdownState,
    private readonly jobs: JobQueue,
  ) {}

  checks(): HealthIndicatorFunction[] {
    return [
      () => this.probe('database', async () => void (await this.dataSource.query('SELECT 1'))),
      () => this.probe('redis', async () => void (await this.redis.ping())),
      () => this.probe('queue', () => this.jobs.ping()),
      () =>
        this.probe('server', async () => {
          if (this.shutdown.shuttingDown) throw new DependencyDown('shutting down');
        }),
    ];
  }

  private probe(key: string, check: () => Promise<void>) {
    return this.indicators
      .check(key)
      .attempt(async () => {
        try {
          await check();
        } catch (error) {
          throw error instanceof DependencyDown ? error : new DependencyDown('unavailable');
        }
      })
      .withTimeout(this.config.healthCheckTimeoutMs);
  }
}
