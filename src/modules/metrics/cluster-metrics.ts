import cluster from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';

export const METRICS_REQUEST = 'api:metrics-request';
export const METRICS_REPLY = 'api:metrics-reply';

export interface MetricsRequest {
  type: typeof METRICS_REQUEST;
  id: number;
}

export interface MetricsReply {
  type: typeof METRICS_REPLY;
  id: number;
  text?: string;
  error?: string;
}

/** The primary's own bound on gathering every process's metrics is 5 s (prom-client's). */
const REPLY_TIMEOUT_MS = 6_000;

let nextId = 0;

/** Some API process did not give its metrics in time (still starting, or stuck). */
export class ClusterMetricsUnavailable extends Error {}

/** Whether this API process is one of several under WEB_CONCURRENCY (see src/cluster.ts). */
export const inCluster = (): boolean => cluster.isWorker;

/**
 * Lets the primary read `registry` when it adds up the processes' metrics. (prom-client answers
 * the primary's requests once an AggregatorRegistry exists in the process.)
 */
export function shareWithPrimary(registry: Registry): void {
  AggregatorRegistry.setRegistries([registry]);
  new AggregatorRegistry();
}

/** The metrics of every API process added up, asked of the primary. */
export function clusterMetrics(): Promise<string> {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => settle(new ClusterMetricsUnavailable('no metrics from the cluster primary')),
      REPLY_TIMEOUT_MS,
    );
    const onMessage = (message: MetricsReply) => {
      if (message?.type !== METRICS_REPLY || message.id !== id) return;
      settle(message.error === undefined ? null : new ClusterMetricsUnavailable(message.error), message.text);
    };
    const settle = (error: Error | null, text?: string) => {
      clearTimeout(timer);
      process.off('message', onMessage);
      if (error) reject(error);
      else resolve(text ?? '');
    };
    process.on('message', onMessage);
    process.send!({ type: METRICS_REQUEST, id } satisfies MetricsRequest);
  });
}
