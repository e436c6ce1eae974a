/**
 * The one policy of every Redis connection the app makes (the shared client, the change feed's
 * subscriber, BullMQ's connections, the response cache's store): give up connecting after
 * 1 s, reconnect forever with a delay growing by 100 ms to at most 2 s, and, where a caller
 * waits on a command, fail it after 1 s. A Redis outage then costs a caller a fast fallback or
 * 503, and recovery is noticed within 2 s.
 */
export const REDIS_CONNECT_TIMEOUT_MS = 1000;
export const REDIS_COMMAND_TIMEOUT_MS = 1000;

/** The wait before reconnect attempt `attempt` (1, 2, ...). */
export function reconnectDelayMs(attempt: number): number {
  return Math.min(attempt * 100, 2000);
}

/** What ioredis needs to connect under the policy; BullMQ's copy of ioredis takes it too. */
export interface IoredisConnectionOptions {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db: number;
  tls?: object;
  connectTimeout: number;
  retryStrategy: (attempt: number) => number;
}

/** ioredis options for REDIS_URL under the policy (BullMQ takes options rather than a URL). */
export function ioredisOptions(redisUrl: string): IoredisConnectionOptions {
  const url = new URL(redisUrl);
  return {
    host: url.hostname,
    port: Number(url.port || 6379),
    username: url.username ? decodeURIComponent(url.username) : undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    db: url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0,
    tls: url.protocol === 'rediss:' ? {} : undefined,
    connectTimeout: REDIS_CONNECT_TIMEOUT_MS,
    retryStrategy: reconnectDelayMs,
  };
}
