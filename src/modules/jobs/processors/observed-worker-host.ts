import { type BeforeApplicationShutdown, Logger } from '@nestjs/common';
import { OnWorkerEvent, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { UseCls } from 'nestjs-cls';
import { ThrottledWarnings } from '../../../logging/throttled-warnings.js';

/**
 * Runs a processor's `process` in a request context of its own whose id is that of the request
 * that queued the job, so the worker's log lines for it carry the request id as the API's do.
 */
export const InJobContext = <T extends { requestId?: string }>() =>
  UseCls<[Job<T>]>({ generateId: true, idGenerator: (job) => job.data.requestId ?? '' });

/**
 * A processor base that reports its worker's trouble through the app logger: connection
 * errors at most once per 10 s (BullMQ retries on its own), and every failed attempt.
 *
 * On shutdown the worker stops taking jobs and finishes its active ones before any module closes
 * a connection those jobs use (@nestjs/bullmq closes workers only in the last shutdown phase).
 */
export abstract class ObservedWorkerHost extends WorkerHost implements BeforeApplicationShutdown {
  protected readonly logger = new Logger(this.constructor.name);
  private readonly connectionWarnings = new ThrottledWarnings(this.logger);

  async beforeApplicationShutdown(): Promise<void> {
    await this.worker.close();
  }

  @OnWorkerEvent('error')
  onWorkerError(error: Error): void {
    this.connectionWarnings.warn(`worker connection problem: ${error.message}`);
  }

  @OnWorkerEvent('failed')
  onJobFailed(job: Job<{ requestId?: string }> | undefined, error: Error): void {
    if (!job) return;
    this.logger.warn(
      `job ${job.id} (${job.name}) request ${job.data.requestId ?? '-'}: attempt ${job.attemptsMade} failed: ${error.message}`,
    );
  }
}
