import { Injectable, Logger } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { ThrottledWarnings } from '../../logging/throttled-warnings.js';
import { ECHO_QUEUE, EMAIL_QUEUE } from './queues.js';

/**
 * Gives the queues an error listener: without one, BullMQ prints every failed reconnect to the
 * console. Connection trouble is logged at most once per 10 s; BullMQ reconnects on its own.
 */
@Injectable()
export class QueueErrorReporter {
  private readonly warnings = new ThrottledWarnings(new Logger('Queues'));

  constructor(@InjectQueue(EMAIL_QUEUE) emailQueue: Queue, @InjectQueue(ECHO_QUEUE) echoQueue: Queue) {
    for (const queue of [emailQueue, echoQueue]) {
      queue.on('error', (error: Error) => this.warnings.warn(`queue ${queue.name}: ${error.message}`));
    }
  }
}
