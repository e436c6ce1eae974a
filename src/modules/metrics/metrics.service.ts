import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { ResponseCache } from '../cache/response-cache.service.js';
import { withTimeout } from '../../common/async/with-timeout.js';
import { JobQueue } from '../jobs/job-queue.service.js';
import { clusterMetrics, inCluster, shareWithPrimary } from './cluster-metrics.js';

const JOB_STATES = ['waiting', 'active', 'delayed', 'completed', 'failed'] as const;

interface PgPool {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

/**
 * Prometheus metrics of this API process: request durations by route and status, response
 * cache hits and misses, queue depth and job outcomes, database pool use, and Node's defaults.
 */
@Injectable()
export class Metrics {
  readonly registry = new Registry();
  private readonly requestDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  constructor(cache: ResponseCache, jobs: JobQueue, @InjectDataSource() dataSource: DataSource) {
    collectDefaultMetrics({ register: this.registry });
    if (inCluster()) shareWithPrimary(this.registry);
    const cacheCounter = (name: 'hits' | 'misses' | 'errors', help: string) =>
      new Counter({
        name: `response_cache_${name}_total`,
        help,
        registers: [this.registry],
        collect() {
          this.reset();
          this.inc(cache.stats()[name]);
        },
      });
    cacheCounter('hits', 'Response cache hits');
    cacheCounter('misses', 'Response cache misses');
    cacheCounter('errors', 'Response cache operations that failed open');

    new Gauge({
      name: 'queue_jobs',
      help: 'Jobs per queue and state (completed and failed within the retention limits)',
      labelNames: ['queue', 'state'] as const,
      // Every API process reads the same counts from Redis: added up, they would be counted N times.
      aggregator: 'max',
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const queue of jobs.all()) {
          const counts = await withTimeout(queue.getJobCounts(...JOB_STATES), 500, 'queue counts').catch(() => null);
          for (const state of JOB_STATES) if (counts) this.set({ queue: queue.name, state }, counts[state] ?? 0);
        }
      },
    });

    new Gauge({
      name: 'db_pool_connections',
      help: 'Database pool connections: total open, idle, and requests waiting for one',
      labelNames: ['state'] as const,
      registers: [this.registry],
      collect() {
        const pool = (dataSource.driver as unknown as { master?: PgPool }).master;
        if (!pool) return;
        this.set({ state: 'total' }, pool.totalCount);
        this.set({ state: 'idle' }, pool.idleCount);
        this.set({ state: 'waiting' }, pool.waitingCount);
      },
    });
  }

  /** The Prometheus text: this process's metrics, or under WEB_CONCURRENCY all processes' added up. */
  text(): Promise<string> {
    return inCluster() ? clusterMetrics() : this.registry.metrics();
  }

  /**
   * Times every response; unmatched URLs share one label so they cannot explode the series. A
   * synchronous hook with the labelled child kept per method, route and status: no promise and
   * no label hashing per request.
   */
  instrument(fastify: FastifyInstance): void {
    const children = new Map<string, Histogram.Internal<'method' | 'route' | 'status'>>();
    fastify.addHook('onResponse', (request, reply, done) => {
      const route = request.routeOptions.url ?? 'unmatched';
      const status = String(reply.statusCode);
      const series = `${request.method} ${status} ${route}`;
      let child = children.get(series);
      if (!child) {
        child = this.requestDuration.labels({ method: request.method, route, status });
        children.set(series, child);
      }
      child.observe(reply.elapsedTime / 1000);
      done();
    });
  }
}
