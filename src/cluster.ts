import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry } from 'prom-client';
import type { AppConfig } from './config/app-config.js';
import { createRootLogger } from './logging/logging.module.js';
import {
  METRICS_REPLY,
  METRICS_REQUEST,
  type MetricsReply,
  type MetricsRequest,
} from './modules/metrics/cluster-metrics.js';

/** A process that dies this soon after it started is failing at start-up, not serving. */
const EARLY_EXIT_MS = 5_000;
/** Failures at start-up in a row after which the primary stops replacing processes and exits. */
const MAX_EARLY_EXITS = 5;

/**
 * WEB_CONCURRENCY > 1: this process forks that many API processes (node:cluster, which hands
 * incoming connections to them in turn) and keeps their number, replacing one that dies. SIGTERM
 * or SIGINT goes to every process, which drains and closes as a single API does; the primary exits
 * when they all have: 0 if they all exited 0, else 1. It also answers their requests for the
 * metrics of all the processes added up, so that /metrics means the same whichever one serves it.
 */
export function runPrimary(config: AppConfig): void {
  const { webConcurrency: processes, shutdownTimeoutMs } = config;
  const logger = createRootLogger(config).child({ context: 'Cluster' });
  const metrics = new AggregatorRegistry();
  const startedAt = new Map<Worker, number>();
  let earlyExits = 0;
  let stopping = false;
  /** Whether the cluster failed: processes kept dying at start-up, or one did not close cleanly. */
  let failed = false;

  const fork = () => startedAt.set(cluster.fork(), Date.now());

  cluster.on('message', (worker, message: MetricsRequest) => {
    if (message?.type !== METRICS_REQUEST) return;
    const reply = (fields: Omit<MetricsReply, 'type' | 'id'>) =>
      worker.send({ type: METRICS_REPLY, id: message.id, ...fields } satisfies MetricsReply);
    metrics.clusterMetrics().then(
      (text) => reply({ text }),
      (error: Error) => reply({ error: error.message }),
    );
  });

  cluster.on('exit', (worker, code, signal) => {
    const lived = Date.now() - (startedAt.get(worker) ?? 0);
    startedAt.delete(worker);
    if (stopping) {
      // Ended by the signal itself: it was still starting (no handler yet), with nothing to drain.
      if (code !== 0 && signal !== 'SIGTERM') failed = true;
      if (startedAt.size === 0) process.exit(failed ? 1 : 0);
      return;
    }
    earlyExits = lived < EARLY_EXIT_MS ? earlyExits + 1 : 0;
    if (earlyExits >= MAX_EARLY_EXITS) {
      logger.error(`API processes keep failing at start-up (${earlyExits} in a row); stopping`);
      failed = true;
      stop('SIGTERM');
      return;
    }
    logger.warn(`API process ${worker.process.pid} exited (${signal ?? code}); starting another`);
    fork();
  });

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal}: stopping ${startedAt.size} API processes`);
    for (const worker of startedAt.keys()) worker.process.kill('SIGTERM');
    if (startedAt.size === 0) process.exit(failed ? 1 : 0);
    // Each process bounds its own close by the same timeout; this is the backstop.
    setTimeout(() => {
      logger.error(`API processes still running after ${shutdownTimeoutMs} ms; exiting`);
      process.exit(1);
    }, shutdownTimeoutMs + 1_000).unref();
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => stop(signal));

  logger.info(`starting ${processes} API processes`);
  for (let i = 0; i < processes; i++) fork();
}
