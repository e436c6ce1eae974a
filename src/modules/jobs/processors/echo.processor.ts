import { Processor } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { ECHO_QUEUE, type EchoJob } from '../queues.js';
import { InJobContext, ObservedWorkerHost } from './observed-worker-host.js';
import { workerOptions } from './worker-options.js';

/** Answers a test job with its message: proves the API -> Redis -> worker path end to end. */
@Processor(ECHO_QUEUE, workerOptions())
export class EchoProcessor extends ObservedWorkerHost {
  @InJobContext<EchoJob>()
  async process(job: Job<EchoJob>): Promise<{ message: string }> {
    this.logger.log(`job ${job.id} (${job.name}): echo`);
    return { message: job.data.message };
  }
}
