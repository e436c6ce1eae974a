import type { WorkerOptions } from 'bullmq';
import { loadConfig } from '../../../config/app-config.js';

/**
 * Options of the processors' BullMQ workers. @Processor() takes them when the classes are
 * decorated, at import: the worker process validates its environment before importing them.
 * A job whose worker died is retaken once its lock expires, checked as often as the lock lasts.
 */
export function workerOptions(): Omit<WorkerOptions, 'connection'> {
  const config = loadConfig();
  return {
    concurrency: config.workerConcurrency,
    lockDuration: config.workerLockDurationMs,
    stalledInterval: config.workerLockDurationMs,
    maxStalledCount: 2,
  };
}
