import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import type { Job, JobState, Queue } from 'bullmq';
import { DomainError } from '../../common/errors/domain-error.js';
import { AppConfig } from '../../config/app-config.js';
import { currentRequestId } from '../../logging/request-context.guard.js';
import { withTimeout } from '../../common/async/with-timeout.js';
import type { JobResponseDto } from './dto/job-response.dto.js';
import {
  ECHO_QUEUE,
  EMAIL_QUEUE,
  type EchoJob,
  EMAIL_VERIFICATION_JOB,
  type EmailVerificationJob,
  PASSWORD_RESET_JOB,
  type PasswordResetJob,
  type QueueName,
  type SendEmailJob,
} from './queues.js';

const iso = (epochMs: number | undefined) => (epochMs ? new Date(epochMs).toISOString() : null);

/** Enqueues jobs for the worker and reports on them. Never waits on a Redis that is down. */
@Injectable()
export class JobQueue {
  private readonly queues: Record<QueueName, Queue>;

  constructor(
    @InjectQueue(EMAIL_QUEUE) emailQueue: Queue,
    @InjectQueue(ECHO_QUEUE) echoQueue: Queue,
    private readonly config: AppConfig,
  ) {
    this.queues = { [EMAIL_QUEUE]: emailQueue, [ECHO_QUEUE]: echoQueue };
  }

  sendEmail(job: SendEmailJob): Promise<string> {
    return this.enqueue(EMAIL_QUEUE, `email:${job.content.template}`, job);
  }

  /** Queued for every recovery request alike; the worker decides whether an email goes out. */
  requestPasswordReset(job: PasswordResetJob): Promise<string> {
    return this.enqueue(EMAIL_QUEUE, PASSWORD_RESET_JOB, job);
  }

  requestEmailVerification(job: EmailVerificationJob): Promise<string> {
    return this.enqueue(EMAIL_QUEUE, EMAIL_VERIFICATION_JOB, job);
  }

  echo(job: EchoJob): Promise<string> {
    return this.enqueue(ECHO_QUEUE, 'echo', job);
  }

  /** Every queue, for the dashboard. */
  all(): Queue[] {
    return Object.values(this.queues);
  }

  /** Whether the queue's Redis connection is up (for readiness). */
  async ping(): Promise<void> {
    const client = await this.queues[EMAIL_QUEUE].backend.client;
    await withTimeout(client.get(`${this.config.redisKeyPrefix}:queue-ping`), this.config.queueTimeoutMs, 'queue ping');
  }

  async describe(id: string): Promise<JobResponseDto> {
    for (const queue of Object.values(this.queues)) {
      // State first, then the job: the worker writes both in one script, so a job read after its
      // state is at least as new, and a completed job never shows without its result.
      const state = await this.bounded(() => queue.getJobState(id));
      if (state === 'unknown') continue;
      const job = await this.bounded(() => queue.getJob(id));
      if (job) return this.view(job, state);
    }
    throw new DomainError('JOB_NOT_FOUND');
  }

  /** Queues a job carrying the id of the request being served, which the worker logs it with. */
  private async enqueue<T extends object>(queueName: QueueName, name: string, data: T): Promise<string> {
    const queue = this.queues[queueName];
    const jobId = randomUUID();
    await this.bounded(() => queue.add(name, { ...data, requestId: currentRequestId() }, { jobId }));
    return jobId;
  }

  /** Answers 503 "Queue unavailable" at once unless the queue's Redis connection is up. */
  async ensureAvailable(): Promise<void> {
    const client = await withTimeout(
      this.queues[EMAIL_QUEUE].backend.client,
      this.config.queueTimeoutMs,
      'queue connection',
    ).catch(() => null);
    if (client?.status !== 'ready') throw new DomainError('QUEUE_UNAVAILABLE', { retryAfterSeconds: 5 });
  }

  /**
   * Runs a queue operation only once the connection is known to be up (so nothing is buffered
   * to run after the caller was told 503), and answers 503 if Redis does not reply in time.
   */
  private async bounded<T>(operation: () => Promise<T>): Promise<T> {
    await this.ensureAvailable();
    const running = operation();
    try {
      return await withTimeout(running, this.config.queueTimeoutMs, 'queue operation');
    } catch {
      running.catch(() => undefined);
      throw new DomainError('QUEUE_UNAVAILABLE', { retryAfterSeconds: 5 });
    }
  }

  private view(job: Job, state: JobState): JobResponseDto {
    return {
      id: job.id!,
      name: job.name,
      state,
      attempts: job.attemptsMade,
      result: job.returnvalue ?? null,
      failed_reason: job.failedReason || null,
      created_at: iso(job.timestamp)!,
      finished_at: iso(job.finishedOn),
    };
  }
}
